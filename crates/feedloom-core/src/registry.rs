//! The registry: a plain, hand-written map from a YAML `type:` to a factory.
//!
//! ```
//! use feedloom_core::{Registry, Item, ExtractError};
//! use feedloom_core::plugin::SyncExtractor;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! #[serde(deny_unknown_fields)]
//! struct ShoutOptions { #[serde(default)] bang: bool }
//!
//! struct Shout(ShoutOptions);
//! impl SyncExtractor for Shout {
//!     fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
//!         item.title = item.title.take().map(|t| t.to_uppercase() + if self.0.bang { "!" } else { "" });
//!         Ok(())
//!     }
//! }
//!
//! let mut reg = Registry::new();
//! reg.register_sync_extractor("shout", "upper-cases titles", |o: ShoutOptions, _ctx| Ok(Shout(o)));
//! assert!(reg.extractor("shout").is_some());
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::plugin::{Sync2Async, SyncExtractor};
use crate::{BuildContext, BuildError, Extractor, Sink, Source, parse_options};

/// A factory's build function: options (as JSON) and context in, a boxed plugin out.
pub type BuildFn<T> =
    Arc<dyn Fn(&serde_json::Value, &BuildContext) -> Result<T, BuildError> + Send + Sync>;

/// How to build one kind of plugin from its options.
pub struct Factory<T> {
    /// One line for `feedloom plugins`.
    pub summary: &'static str,
    pub build: BuildFn<T>,
    /// JSON Schema of the options (for `feedloom schema config`).
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

impl<T> Clone for Factory<T> {
    fn clone(&self) -> Self {
        Factory {
            summary: self.summary,
            build: self.build.clone(),
            schema: self.schema,
        }
    }
}

pub type SourceFactory = Factory<Box<dyn Source>>;
pub type ExtractorFactory = Factory<Box<dyn Extractor>>;
pub type SinkFactory = Factory<Box<dyn Sink>>;

fn schema_of<O: JsonSchema>(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    g.subschema_for::<O>()
}

/// A factory that parses options `O`, builds a `P` and boxes it as the role's trait object.
fn factory<O, P, T, F>(summary: &'static str, build: F, boxed: fn(P) -> T) -> Factory<T>
where
    O: DeserializeOwned + JsonSchema + 'static,
    P: 'static,
    T: 'static,
    F: Fn(O, &BuildContext) -> Result<P, BuildError> + Send + Sync + 'static,
{
    let build: BuildFn<T> = Arc::new(move |v, ctx| Ok(boxed(build(parse_options::<O>(v)?, ctx)?)));
    Factory {
        summary,
        build,
        schema: schema_of::<O>,
    }
}

/// Every plugin a binary knows, by role and `type:` name.
#[derive(Default, Clone)]
pub struct Registry {
    sources: BTreeMap<String, SourceFactory>,
    extractors: BTreeMap<String, ExtractorFactory>,
    sinks: BTreeMap<String, SinkFactory>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a source type. `O` is its options struct.
    pub fn register_source<O, S, F>(
        &mut self,
        name: &str,
        summary: &'static str,
        build: F,
    ) -> &mut Self
    where
        O: DeserializeOwned + JsonSchema + 'static,
        S: Source + 'static,
        F: Fn(O, &BuildContext) -> Result<S, BuildError> + Send + Sync + 'static,
    {
        let f = factory(summary, build, |s| Box::new(s) as Box<dyn Source>);
        self.sources.insert(name.into(), f);
        self
    }

    /// Register an (async) extractor type.
    pub fn register_extractor<O, E, F>(
        &mut self,
        name: &str,
        summary: &'static str,
        build: F,
    ) -> &mut Self
    where
        O: DeserializeOwned + JsonSchema + 'static,
        E: Extractor + 'static,
        F: Fn(O, &BuildContext) -> Result<E, BuildError> + Send + Sync + 'static,
    {
        let f = factory(summary, build, |e| Box::new(e) as Box<dyn Extractor>);
        self.extractors.insert(name.into(), f);
        self
    }

    /// Register a synchronous extractor type (plain CPU work on the item).
    pub fn register_sync_extractor<O, E, F>(
        &mut self,
        name: &str,
        summary: &'static str,
        build: F,
    ) -> &mut Self
    where
        O: DeserializeOwned + JsonSchema + 'static,
        E: SyncExtractor + 'static,
        F: Fn(O, &BuildContext) -> Result<E, BuildError> + Send + Sync + 'static,
    {
        self.register_extractor(name, summary, move |o: O, ctx| {
            Ok(Sync2Async(Arc::new(build(o, ctx)?)))
        })
    }

    /// Register a sink type.
    pub fn register_sink<O, S, F>(
        &mut self,
        name: &str,
        summary: &'static str,
        build: F,
    ) -> &mut Self
    where
        O: DeserializeOwned + JsonSchema + 'static,
        S: Sink + 'static,
        F: Fn(O, &BuildContext) -> Result<S, BuildError> + Send + Sync + 'static,
    {
        let f = factory(summary, build, |s| Box::new(s) as Box<dyn Sink>);
        self.sinks.insert(name.into(), f);
        self
    }

    /// The source type registered as `name` (its YAML `type:`).
    pub fn source(&self, name: &str) -> Option<&SourceFactory> {
        self.sources.get(name)
    }
    /// The extractor type registered as `name`, sync or async.
    pub fn extractor(&self, name: &str) -> Option<&ExtractorFactory> {
        self.extractors.get(name)
    }
    /// The sink type registered as `name`.
    pub fn sink(&self, name: &str) -> Option<&SinkFactory> {
        self.sinks.get(name)
    }

    /// Source types in name order.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &SourceFactory)> {
        self.sources.iter().map(|(k, v)| (k.as_str(), v))
    }
    pub fn extractors(&self) -> impl Iterator<Item = (&str, &ExtractorFactory)> {
        self.extractors.iter().map(|(k, v)| (k.as_str(), v))
    }
    pub fn sinks(&self) -> impl Iterator<Item = (&str, &SinkFactory)> {
        self.sinks.iter().map(|(k, v)| (k.as_str(), v))
    }
}
