package s3

import (
	"os"
	"time"
)

// writeConditions are the preconditions of a conditional write
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
type writeConditions struct {
	IfMatch        string
	HasIfMatch     bool
	HasIfNoneMatch bool // the only accepted value, "*", is checked by the HTTP layer
	// sinceSeq is the sequencer at which a multipart upload began: a delete of the key after
	// it makes a conditional completion conflict (409).
	sinceSeq uint64
}

func (c *writeConditions) conditional() bool { return c != nil && (c.HasIfMatch || c.HasIfNoneMatch) }

// check evaluates the preconditions against the key's current state.
func (c *writeConditions) check(rec *keyRecord) error {
	if !c.conditional() {
		return nil
	}
	if c.sinceSeq != 0 && rec != nil && rec.DeleteSeq > c.sinceSeq {
		return errConditionalConflict()
	}
	live := rec.live()
	if c.HasIfNoneMatch && live != nil {
		return errPreconditionFailed()
	}
	if c.HasIfMatch {
		if live == nil {
			// If-Match on a missing key (or a delete marker) is 404 NoSuchKey.
			return errNoSuchKey()
		}
		if want := trimETag(c.IfMatch); want != "*" && want != live.ETag {
			return errPreconditionFailed()
		}
	}
	return nil
}

// commitPut makes nv (whose blob is already in place) the current version of key, with an
// "Object Created" event when the bucket sends events to EventBridge. Version ID, sequencer
// and LastModified are assigned here.
func (s *Service) commitPut(bucket, key string, nv version, cond *writeConditions, reason string, o origin) (version, error) {
	defer s.compactJournal()
	w, err := s.store.lockKey(bucket, key)
	if err != nil {
		return version{}, err
	}
	defer w.unlock()
	b, rec := w.b, w.rec
	if err := cond.check(rec); err != nil {
		return version{}, err
	}
	nrec := cloneRecord(rec, key)
	seq := s.ids.nextSeq()
	nv.Sequencer = seqString(seq)
	nv.LastModified = s.now().UTC()
	var drop []string
	if w.cfg.Versioning == versioningEnabled {
		nv.ID = s.ids.versionID()
	} else {
		nv.ID = ""
		if i, old := nrec.find(""); old != nil {
			if old.Blob != "" {
				drop = append(drop, old.Blob)
			}
			nrec.Versions = append(nrec.Versions[:i], nrec.Versions[i+1:]...)
		}
	}
	nrec.Versions = append([]version{nv}, nrec.Versions...)
	var ev *pendingEvent
	if w.cfg.EventBridge {
		e, err := s.events.created(bucket, key, nv, reason, o, seq)
		if err != nil {
			return version{}, err
		}
		nrec.Pending = append(nrec.Pending, e)
		ev = &e
	}
	if err := s.store.writeRecord(w, nrec, ev); err != nil {
		return version{}, err
	}
	for _, id := range drop {
		os.Remove(b.blobPath(id))
	}
	if ev != nil {
		s.outbox.push(pendingRef{bucket: bucket, key: key, id: ev.ID, seq: ev.Seq, body: ev.Body})
	}
	return nv, nil
}

// deleteResult is what DeleteObject reports.
type deleteResult struct {
	DeleteMarker bool
	VersionID    string // "" when the response carries no x-amz-version-id
}

// deleteObject deletes key (or one version of it) following S3's versioning rules
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html) and
// records an "Object Deleted" event when something changed.
func (s *Service) deleteObject(bucket, key, versionID string, o origin) (deleteResult, error) {
	defer s.compactJournal()
	w, err := s.store.lockKey(bucket, key)
	if err != nil {
		return deleteResult{}, err
	}
	defer w.unlock()
	b := w.b
	nrec := cloneRecord(w.rec, key)
	seq := s.ids.nextSeq()
	var (
		res     deleteResult
		drop    []string
		marker  *version
		removed string
		changed bool
	)
	switch {
	case versionID != "":
		id := versionID
		if id == "null" {
			id = ""
		}
		res.VersionID = versionID
		i, v := nrec.find(id)
		if v == nil {
			return res, nil
		}
		res.DeleteMarker = v.DeleteMarker
		if v.Blob != "" {
			drop = append(drop, v.Blob)
		}
		removed = v.ID
		nrec.Versions = append(nrec.Versions[:i], nrec.Versions[i+1:]...)
		changed = true
	case w.cfg.Versioning == versioningOff:
		i, v := nrec.find("")
		if v == nil {
			return res, nil
		}
		if v.Blob != "" {
			drop = append(drop, v.Blob)
		}
		nrec.Versions = append(nrec.Versions[:i], nrec.Versions[i+1:]...)
		changed = true
	default:
		m := version{DeleteMarker: true, LastModified: s.now().UTC(), Sequencer: seqString(seq)}
		if w.cfg.Versioning == versioningEnabled {
			m.ID = s.ids.versionID()
			res.VersionID = m.ID
		} else {
			// Suspended: the marker is the null version and replaces any existing one.
			if i, old := nrec.find(""); old != nil {
				if old.Blob != "" {
					drop = append(drop, old.Blob)
				}
				nrec.Versions = append(nrec.Versions[:i], nrec.Versions[i+1:]...)
			}
			res.VersionID = "null"
		}
		res.DeleteMarker = true
		nrec.Versions = append([]version{m}, nrec.Versions...)
		marker = &m
		changed = true
	}
	if !changed {
		return res, nil
	}
	nrec.DeleteSeq = seq
	var ev *pendingEvent
	if w.cfg.EventBridge {
		e, err := s.events.deleted(bucket, key, marker, removed, o, seq)
		if err != nil {
			return deleteResult{}, err
		}
		nrec.Pending = append(nrec.Pending, e)
		ev = &e
	}
	if err := s.store.writeRecord(w, nrec, ev); err != nil {
		return deleteResult{}, err
	}
	for _, id := range drop {
		os.Remove(b.blobPath(id))
	}
	if ev != nil {
		s.outbox.push(pendingRef{bucket: bucket, key: key, id: ev.ID, seq: ev.Seq, body: ev.Body})
	}
	return res, nil
}

// ackEvent forgets a published event: it leaves the in-memory record at once and the disk
// record at the key's next write; meanwhile the ack log keeps it from being published again.
func (s *Service) ackEvent(p pendingRef) error {
	if w, err := s.store.lockKey(p.bucket, p.key); err == nil {
		if rec := w.rec; rec != nil {
			kept := make([]pendingEvent, 0, len(rec.Pending))
			for _, e := range rec.Pending {
				if e.ID != p.id {
					kept = append(kept, e)
				}
			}
			w.b.mu.Lock()
			rec.Pending = kept
			w.b.mu.Unlock()
		}
		w.unlock()
	}
	return s.store.logAck(p.id)
}

func (s *Service) now() time.Time { return s.clock() }

// compactJournal rewrites an overgrown journal; a failure is logged and retried later.
func (s *Service) compactJournal() {
	if err := s.store.maybeCompact(); err != nil {
		s.log.Error("s3: compact journal", "err", err)
	}
}
