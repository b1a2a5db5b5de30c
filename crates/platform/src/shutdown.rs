//! Graceful shutdown: one watch channel that every task of a service observes.

use tokio::sync::watch;

/// Cloneable handle; `triggered()` resolves once shutdown begins.
#[derive(Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

/// The owner side: `trigger()` starts the shutdown of every task holding a [`Shutdown`].
#[derive(Clone)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

pub fn channel() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger { tx }, Shutdown { rx })
}

impl ShutdownTrigger {
    pub fn trigger(&self) {
        let _ = self.tx.send(true);
    }

    pub fn subscribe(&self) -> Shutdown {
        Shutdown { rx: self.tx.subscribe() }
    }
}

impl Shutdown {
    pub async fn triggered(mut self) {
        let _ = self.rx.wait_for(|stopped| *stopped).await;
    }

    pub fn is_triggered(&self) -> bool {
        *self.rx.borrow()
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn os_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn every_subscriber_sees_the_trigger() {
        let (trigger, a) = super::channel();
        let b = trigger.subscribe();
        assert!(!a.is_triggered());
        trigger.trigger();
        a.clone().triggered().await;
        b.triggered().await;
        assert!(a.is_triggered());
    }
}
