//! Use cases of service-center, by concern:
//!
//! - [`intake`]: accept a case (受理): [`submit`], with its idempotent replay.
//! - [`view`]: show a case ([`get`]) and list them ([`list`]), trimmed to what the caller
//!   may see.
//! - [`supplement`](mod@supplement): the employer supplies the requested materials.
//! - [`evaluate`](mod@evaluate): 好差评, one rating per finished item.
//! - [`messages`]: consultations and complaints, and their answers.
//! - [`answers`]: the first answer to a command sent again with the same key.
//!
//! Every query is in [`crate::store`].

pub mod answers;
pub mod evaluate;
pub mod intake;
pub mod messages;
pub mod supplement;
pub mod view;

pub use answers::{earlier_answer, remember_answer};
pub use evaluate::evaluate;
pub use intake::{Submission, Submitted, submit};
pub use messages::{add_message, answer_message};
pub use supplement::supplement;
pub use view::{ListRequest, cursor_key, get, list};
