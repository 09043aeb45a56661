//! A feedloom binary with one extra extractor, `watchlist`: it tags items that mention any
//! word of a configured list.
//!
//! ```yaml
//! extractors:
//!   - type: watchlist
//!     words: [pipeline, Line D, uranium]
//!     tag: energy-watch
//! ```
//! Build and try it: `cargo run -p feedloom-custom-extractor -- extract -c watch.yaml article.txt`

use feedloom_core::{BuildContext, BuildError, ExtractError, Item, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

/// Options of `type: watchlist` (unknown keys are errors, like every feedloom plugin).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WatchlistOptions {
    /// Words or phrases to look for (case-insensitive).
    words: Vec<String>,
    /// The tag added when any of them is found.
    #[serde(default = "default_tag")]
    tag: String,
}

fn default_tag() -> String {
    "watchlist".into()
}

struct Watchlist {
    words: Vec<String>,
    tag: String,
}

impl Watchlist {
    fn build(o: WatchlistOptions, _ctx: &BuildContext) -> Result<Self, BuildError> {
        if o.words.is_empty() {
            return Err(BuildError::at("words", "give at least one word"));
        }
        Ok(Watchlist {
            words: o.words.iter().map(|w| w.to_lowercase()).collect(),
            tag: o.tag,
        })
    }
}

impl SyncExtractor for Watchlist {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let hay = format!("{} {}", item.title.as_deref().unwrap_or(""), item.text).to_lowercase();
        if self.words.iter().any(|w| hay.contains(w.as_str())) {
            item.add_tags([self.tag.clone()]);
        }
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    let mut registry = feedloom::builtin_registry();
    registry.register_sync_extractor(
        "watchlist",
        "tags items that mention a configured word",
        Watchlist::build,
    );
    feedloom::main_with(registry)
}
