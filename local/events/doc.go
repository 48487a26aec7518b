// Package events is a local Amazon EventBridge: the EventBridge JSON API
// (AWS JSON 1.1, X-Amz-Target "AWSEvents.<Operation>") as an http.Handler, the
// default event bus with its rules and targets, and delivery of matching
// events to targets with retries and a dead-letter list.
//
// Operations: PutEvents, PutRule, DescribeRule, ListRules, DeleteRule,
// EnableRule, DisableRule, PutTargets, ListTargetsByRule,
// ListRuleNamesByTarget, RemoveTargets,
// TestEventPattern, ListEventBuses and DescribeEventBus (the default bus only).
// Requests are validated as the EventBridge API model says, and errors come
// back in AWS's JSON shape ({"__type": code, "message": text}, HTTP 400) so
// the real SDKs and the AWS CLI work against the handler with only an endpoint
// override. Event patterns are compiled by package pattern.
//
// Delivery: PutEvents and [Service.Publish] match each event against the
// enabled rules and queue one delivery per target. Delivery is asynchronous,
// as in AWS: [Service.Run] delivers queued work as it falls due, and
// [Service.DeliverDue] delivers what is due now (tests drive it with a fake
// [Clock], so nothing sleeps). The input a target receives follows its Input,
// InputPath or InputTransformer
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
// A failed delivery is retried with exponential back-off and jitter (half of
// each delay random; base and cap set by [WithBackoff]) until
// the target's RetryPolicy is exhausted (default 185 attempts or 24 hours,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html);
// an error that says it is not retryable goes straight to the dead-letter
// list, as AWS does for missing resources and permissions. Events that exhaust
// their retries are kept in the dead-letter list with the attributes AWS puts
// on DLQ messages (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
// EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html),
// whether or not the target names a DeadLetterConfig: locally nothing is
// dropped. [Service.DeadLetters] lists them and [Service.Redrive] queues them
// again.
//
// The service delivers through a [Deliverer] the host supplies (for a Step
// Functions target, one that starts an execution); it imports no other
// service.
//
// State lives in memory. With [WithStore] (for example a [FileStore]) the
// rules, their targets and the dead-letter list are saved after every change
// and loaded by [New]. With [WithQueue] (for example a [FileQueue]) every
// queued delivery is journaled until it is delivered or dead-lettered, and
// New queues the unfinished ones again (due at once, with a fresh retry
// budget), so a restart, even after kill -9, loses no accepted event;
// delivery is at-least-once. Without them nothing survives a restart.
//
// An API call answers success only once its change is saved: when the Store
// fails, PutRule, DeleteRule, EnableRule, DisableRule, PutTargets and
// RemoveTargets undo the change and answer InternalException (HTTP 500); when
// the Queue cannot record an event's deliveries, PutEvents reports that entry
// failed with InternalFailure (retryable, as AWS documents for
// PutEventsResultEntry) and [Service.PublishEvent] and [Service.Publish]
// return an error, so the caller keeps the event and offers it again. A
// failure to record a finished delivery is logged ([WithLogger]) and kept for
// [Service.StoreErr]; the delivery is made again after a restart. FileStore and
// FileQueue keep their records in internal/durablelog: checksummed, a torn
// tail cut at start-up, a corrupt record skipped and logged at Error level
// with every later record kept.
//
// Not emulated: custom event buses, archives and replays, schedules (a rule
// with a ScheduleExpression is stored but never fires), API destinations,
// tags, resource policies, and targets other than through the Deliverer.
package events
