package s3

import "sync"

// keyStripes is how many locks a bucket's keys share. Two keys hashing to one stripe only
// wait for each other; nothing else depends on the count.
const keyStripes = 64

// keyLocks serialises the writes to each key of a bucket, so that writes to different keys
// do their encoding and journal write in parallel while the bucket lock (bucketState.mu)
// covers only the in-memory update. The holder of a key's stripe is the only one who
// changes that key's record, so it may read the record without the bucket lock.
//
// Lock order: a key stripe before the bucket lock. Whole-bucket changes (compaction,
// bucket deletion, settings) take every stripe first, so no write is caught between its
// journal entry and its in-memory update.
type keyLocks struct {
	stripes [keyStripes]sync.Mutex
}

// lock locks key's stripe and returns it, to unlock.
func (k *keyLocks) lock(key string) *sync.Mutex {
	m := &k.stripes[stripeOf(key)]
	m.Lock()
	return m
}

func (k *keyLocks) lockAll() {
	for i := range k.stripes {
		k.stripes[i].Lock()
	}
}

func (k *keyLocks) unlockAll() {
	for i := range k.stripes {
		k.stripes[i].Unlock()
	}
}

// stripeOf is the FNV-1a hash of key, modulo keyStripes.
func stripeOf(key string) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % keyStripes)
}
