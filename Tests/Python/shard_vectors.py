"""Reference shard assignments, as kube-state-metrics computes them (pkg/sharding/listwatch.go:
64-bit FNV-1a over the object's UID, then github.com/dgryski/go-jump's Hash), transcribed from
the Go code independently of Telegen's Swift. Writes Tests/Fixtures/kubestate/sharding.tsv.

    python3 Tests/Python/shard_vectors.py > Tests/Fixtures/kubestate/sharding.tsv
"""
import random
import uuid

TOTALS = (1, 2, 3, 4, 5, 7, 10, 16, 100, 1000)


def fnv1a64(text):
    value = 14695981039346656037
    for byte in text.encode():
        value ^= byte
        value = (value * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return value


def jump(key, buckets):
    """go-jump: b, j int64; key = key*2862933555777941757 + 1 (uint64 wrap);
    j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))."""
    bucket, following = -1, 0
    while following < buckets:
        bucket = following
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        following = int(float(bucket + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return bucket


def main():
    random.seed(7)
    uids = [str(uuid.UUID(int=random.getrandbits(128), version=4)) for _ in range(200)] + ["uid1", "", "ü-ç", "0" * 36]
    print("# uid, then the shard kube-state-metrics assigns it for total_shards = " + ", ".join(map(str, TOTALS)))
    print("# (FNV-1a 64 of the UID's bytes, then github.com/dgryski/go-jump's Hash; computed by Tests/Python/shard_vectors.py)")
    for uid in uids:
        print(uid + "\t" + "\t".join(str(jump(fnv1a64(uid), total)) for total in TOTALS))


if __name__ == "__main__":
    main()
