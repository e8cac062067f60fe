//! A content-addressed store for raw files: the name of a blob is the SHA-256 of its bytes.
//!
//! Blobs are written to a temporary file, synced and renamed into place, so a
//! crash never leaves a half-written blob under a real name. Storing the same
//! bytes twice is a no-op.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::StoreError;

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The hex SHA-256 of `bytes`.
    pub fn hash(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        let (a, b) = (
            &sha256[..2.min(sha256.len())],
            &sha256[2.min(sha256.len())..4.min(sha256.len())],
        );
        self.root.join(a).join(b).join(sha256)
    }

    /// Stores `bytes` and returns their hash.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha256 = Self::hash(bytes);
        let path = self.path_of(&sha256);
        if path.exists() {
            return Ok(sha256);
        }
        let dir = path.parent().unwrap_or(&self.root);
        let err = |source| StoreError::Blob {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let tmp = dir.join(format!(".{sha256}.{}.tmp", std::process::id()));
        let mut file = std::fs::File::create(&tmp).map_err(err)?;
        file.write_all(bytes).map_err(err)?;
        file.sync_all().map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        Ok(sha256)
    }

    /// The bytes stored under `sha256`, checked against the hash.
    /// Removes a blob that no message refers to (its message was never stored).
    pub fn remove(&self, sha256: &str) -> Result<(), StoreError> {
        let path = self.path_of(sha256);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Blob { path, source }),
        }
    }

    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Blob {
                path: self.root.join(sha256),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a SHA-256 hex name"),
            });
        }
        let path = self.path_of(sha256);
        let bytes = std::fs::read(&path).map_err(|source| StoreError::Blob {
            path: path.clone(),
            source,
        })?;
        if Self::hash(&bytes) != sha256 {
            return Err(StoreError::Blob {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "content does not match its hash"),
            });
        }
        Ok(bytes)
    }
}
