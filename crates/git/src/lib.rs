//! Git client for the source controller: clone/fetch over https, ssh and http with Flux's ref
//! rules and revision strings, a per-URL fetch cache (an unchanged remote costs one ls-remote),
//! sparse checkout, submodules, and the signed payloads of commits and tags.
//!
//! Blocking API (callers use `spawn_blocking`), built on gix.
//!
//! ```no_run
//! use flux_git::{CheckoutOutcome, CheckoutRequest, GitClient, Reference, TransportOptions};
//! let client = GitClient::new("/tmp/git-cache").unwrap();
//! let request = CheckoutRequest::new(
//!     "https://github.com/fluxcd/flux2-kustomize-helm-example",
//!     Reference::Branch("main".into()),
//! );
//! match client.checkout(&request, std::path::Path::new("/tmp/checkout")).unwrap() {
//!     CheckoutOutcome::Unchanged { revision } => println!("still at {revision}"),
//!     CheckoutOutcome::Checked(commit) => println!("checked out {}", commit.revision()),
//! }
//! ```

mod cache;
mod checkout;
mod client;
mod commit;
mod credentials;
mod error;
mod reference;
mod remote;
mod semver_range;
mod submodules;

pub use client::{CheckoutOutcome, CheckoutRequest, GitClient};
pub use commit::{Commit, Person, SignedPayload, Tag};
pub use credentials::{ClientCertificate, Credentials, ProxyOptions, TransportOptions};
pub use error::GitError;
pub use reference::{DEFAULT_BRANCH, Reference};
pub use remote::RemoteRef;
pub use semver_range::{SemverError, SemverRange, parse_tag_version};
