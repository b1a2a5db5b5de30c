//! The document store: uploaded files, content-addressed by SHA-256, in an
//! `object_store` (a local folder in the embedded default; S3-compatible in production).

use std::sync::Arc;

use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

#[derive(Clone)]
pub struct Documents {
    store: Arc<dyn ObjectStore>,
}

impl Documents {
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Documents> {
        std::fs::create_dir_all(dir)?;
        Ok(Documents { store: Arc::new(LocalFileSystem::new_with_prefix(dir)?) })
    }

    fn path(sha256: &str) -> Path {
        // Two levels of fan-out keep directories small.
        Path::from(format!("sha256/{}/{}/{sha256}", &sha256[..2], &sha256[2..4]))
    }

    /// Stores `bytes` under their hash; storing the same content twice is a no-op.
    pub async fn put(&self, sha256: &str, bytes: bytes::Bytes) -> anyhow::Result<()> {
        let path = Self::path(sha256);
        if self.store.head(&path).await.is_ok() {
            return Ok(());
        }
        self.store.put(&path, bytes.into()).await?;
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> anyhow::Result<bytes::Bytes> {
        Ok(self.store.get(&Self::path(sha256)).await?.bytes().await?)
    }

    /// The content in chunks as the store reads it, so a download never holds the whole
    /// file in memory.
    pub async fn stream(&self, sha256: &str) -> anyhow::Result<BoxStream<'static, object_store::Result<bytes::Bytes>>> {
        Ok(self.store.get(&Self::path(sha256)).await?.into_stream())
    }
}
