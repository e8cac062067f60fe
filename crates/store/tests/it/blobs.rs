//! The blob store names content by its hash and notices tampering.

use store::blobs::BlobStore;

#[test]
fn blobs_round_trip_and_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::new(dir.path().to_owned());
    let bytes = b"ORDERS D96A".to_vec();
    let hash = blobs.put(&bytes).unwrap();
    assert_eq!(hash, BlobStore::hash(&bytes));
    assert_eq!(blobs.put(&bytes).unwrap(), hash);
    assert_eq!(blobs.get(&hash).unwrap(), bytes);
    let files = walk(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
}

#[test]
fn a_changed_blob_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::new(dir.path().to_owned());
    let hash = blobs.put(b"original").unwrap();
    let path = walk(dir.path()).pop().unwrap();
    std::fs::write(&path, b"tampered").unwrap();
    let err = blobs.get(&hash).unwrap_err().to_string();
    assert!(err.contains("does not match its hash"), "{err}");
    assert!(blobs.get("../../etc/passwd").is_err());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
