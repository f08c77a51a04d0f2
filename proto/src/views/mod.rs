//! The JSON shapes of the node's API, shared by the node (which serves them) and the CLI
//! (which reads them), by subject. Hashes and keys are lowercase hex; enum values are
//! kebab-case words. Parties are objects that name the member beside the hex
//! ([`MemberRef`], [`KeyRef`]); a point in time `*_ms` has a sibling without `_ms` in
//! RFC 3339, in the chain's time zone ([`rfc3339`]).

mod assets;
mod chain;
mod gov;
mod grants;
mod market;
mod members;
mod node;
mod parties;
mod payload;
mod registry;
mod time;
mod words;

pub use assets::{AssetView, EdgeView, HistoryEntryView, HoldersView, LineageView, RightsView};
pub use chain::{BlockView, CertificateView, InclusionProofView, TxView};
pub use gov::{CouncilView, NodeView, ProposalView, VoteView};
pub use grants::{AttestationView, FilingView, GrantView, TransferExportView};
pub use market::{
    AnswerTimesView, ListingView, OrderView, PriceGroupView, PricesView, RequestView, VoucherView,
};
pub use members::MemberView;
pub use node::{BlockRangeView, ErrorView, ReceiptView, StatusView, SubmitView};
pub use parties::{Directory, KeyRef, MemberRef};
pub use payload::{action_json, licence_json, payload_json};
pub use registry::{ApplicationView, ObjectionView, RegistrationView};
pub use time::rfc3339;
pub use words::*;
