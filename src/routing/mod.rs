//! Routing between Vercel AI Gateway and OpenRouter: model-id mapping and request translation.
//!
//! Design: everything here is a pure function of its inputs (two catalogs, an override table, a
//! request body), so it is tested exhaustively without sockets (spec `routing.md` §2–3).
//! [`mapping`] pairs model ids across the catalogs and says why; [`translate`] rewrites a
//! chat-completions body for the other gateway, or refuses with a reason when an option cannot
//! be expressed there, so a routing or privacy constraint is never silently dropped.
//! [`router`] decides per call (sticky share, pins, eligibility, breakers from [`breaker`]).

pub mod breaker;
pub mod mapping;
pub mod router;
pub mod translate;

pub use breaker::{BreakerConfig, Breakers};
pub use mapping::{MapStats, Mapping, MatchKind, ModelMap, Sort};
pub use router::{Decision, Pin, RouteRequest, Router, RouterSettings, Target};
pub use translate::{Ineligible, TranslateOptions};
