// Package durablelog is the append-only record log every local service keeps its state in.
//
// # Contract
//
// A Log is one file of frames. Append writes one frame per call: all the records of the call,
// each prefixed by its length, behind a 12-byte header (a 4-byte magic number, the payload
// length and the CRC-32C (Castagnoli) of length and payload). A batch is therefore
// all-or-nothing, on disk as in the API: after a crash, Replay returns every record of a call
// or none of them.
//
// Append returns nil only once its records are as durable as the log's SyncPolicy promises:
//
//   - SyncEach: the frame is written and fsynced before Append returns; every Append pays one
//     fsync.
//   - SyncGroup: the same promise, but Appends running at the same time share one fsync (group
//     commit); this is the policy for a service answering concurrent requests.
//   - SyncNone: the frame is in the operating system's page cache when Append returns. It
//     survives the death of the process (kill -9 included), not a power loss or a kernel
//     crash, which may lose the latest Appends (never earlier ones partly: see Open).
//
// A write error (ENOSPC, EIO, a short write) never leaves a partial frame in front of later
// ones: the Log truncates the file back to the end of the last good frame, and an fsync error
// truncates it back to the end of the last fsynced frame (after a failed fsync the kernel may
// have dropped the pages, so nothing written since is trusted). The failed Append, and every
// Append that was waiting on the same fsync, returns an error that wraps both ErrUnhealthy and
// the cause (errors.Is(err, syscall.ENOSPC) works). The Log is then unhealthy: each later
// Append first truncates the file back to the good end again if that had failed, then
// tries its own write, which is the probe; while Options.ProbeInterval has not passed since
// the last failed attempt, Appends are refused at once with an error wrapping ErrUnhealthy.
// The first Append that is durable again makes the Log healthy.
//
// Open reads the whole file once. A frame that is cut short at the end of the file (a torn
// write: the process or machine died in the middle of it) is truncated away and reported in
// Recovery.TornBytes. A frame whose checksum or framing is wrong (a corrupt byte anywhere) is
// skipped: the reader searches forward for the next magic number that starts a frame with a
// valid checksum and carries on from there, so only the damaged frame is lost. Every skipped
// range is reported in Recovery.Corrupt and logged at Error level with its offset and size;
// a corrupt frame at the very end of the file is also truncated. Records that happen to
// contain a whole valid frame of their own could be mistaken for one after a corrupt frame;
// the services' JSON records cannot (the magic number contains a byte JSON never carries
// unescaped).
//
// Compact replaces the file with the records a snapshot function emits: they are written to a
// temporary file beside the log, fsynced (whatever the policy), renamed over the log and the
// directory fsynced, so a crash at any point leaves either the old log or the new one. Appends
// wait while Compact runs and go to the new file after it. The snapshot must describe every
// record appended before Compact was called (a service holds the locks it holds around
// Append and its in-memory update) and must not call Append, Replay or Compact.
//
// What is not promised: durability against a disk that lies about fsync, detection of a
// corruption that keeps a frame's CRC-32C valid (about one in four billion), or protection
// against two processes opening the same file.
package durablelog
