//! Reloading while items flow: only the difference between the old and the new config is
//! applied.

use super::run::close_when_unused;
use super::*;

/// What a reload changed.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReloadSummary {
    pub sources_added: Vec<String>,
    pub sources_removed: Vec<String>,
    pub sources_changed: Vec<String>,
    pub extractors_changed: bool,
    pub sinks_added: Vec<String>,
    pub sinks_removed: Vec<String>,
    pub sinks_changed: Vec<String>,
    /// Settings that only take effect after a restart.
    pub needs_restart: Vec<String>,
}

impl ReloadSummary {
    pub fn is_empty(&self) -> bool {
        *self == ReloadSummary::default()
    }
}

impl fmt::Display for ReloadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return write!(f, "no changes");
        }
        let list = |v: &[String]| v.join(",");
        let mut parts = Vec::new();
        for (label, add, rem, chg) in [
            (
                "sources",
                &self.sources_added,
                &self.sources_removed,
                &self.sources_changed,
            ),
            (
                "sinks",
                &self.sinks_added,
                &self.sinks_removed,
                &self.sinks_changed,
            ),
        ] {
            let mut p = Vec::new();
            if !add.is_empty() {
                p.push(format!("+{}", list(add)));
            }
            if !rem.is_empty() {
                p.push(format!("-{}", list(rem)));
            }
            if !chg.is_empty() {
                p.push(format!("~{}", list(chg)));
            }
            if !p.is_empty() {
                parts.push(format!("{label} {}", p.join(" ")));
            }
        }
        if self.extractors_changed {
            parts.push("extractors replaced".into());
        }
        if !self.needs_restart.is_empty() {
            parts.push(format!(
                "restart needed for {}",
                self.needs_restart.join(", ")
            ));
        }
        write!(f, "{}", parts.join("; "))
    }
}

impl Pipeline {
    /// Apply a new config without a restart: added sources start, removed ones stop, changed
    /// ones restart; unchanged sources keep their schedule and state. Extractors and sinks
    /// are swapped between items; a replaced sink drains its queue first, so no item is lost
    /// or delivered twice. Everything new is built before anything is swapped: a config that
    /// fails to build leaves the old one running.
    pub async fn reload(self: &Arc<Self>, new: Config) -> Result<ReloadSummary, RuntimeError> {
        let _guard = self.reload_lock.lock().await;
        let old = self.config();
        let mut sum = ReloadSummary::default();
        if new.state_dir != old.state_dir {
            sum.needs_restart.push("state_dir".into());
        }
        if new.admin != old.admin {
            sum.needs_restart.push("admin".into());
        }
        if new.pipeline != old.pipeline {
            sum.needs_restart.push("pipeline".into());
        }
        let defaults_changed = new.defaults != old.defaults;

        // 1. Build. A running source is one of the config in force (`old`): compared by id
        // through maps, as a config may hold 100,000 sources.
        let running: std::collections::HashSet<String> =
            self.sources.lock_unpoisoned().keys().cloned().collect();
        let old_by_id: std::collections::HashMap<&str, &Component> =
            old.sources.iter().map(|c| (c.id.as_str(), c)).collect();
        let new_ids: std::collections::HashSet<&str> =
            new.sources.iter().map(|c| c.id.as_str()).collect();
        let mut new_sources = Vec::new();
        for c in &new.sources {
            let was = running
                .contains(&c.id)
                .then(|| old_by_id.get(c.id.as_str()))
                .flatten();
            match was {
                Some(old_c) if old_c.same_as(c) && !defaults_changed => {}
                Some(_) => {
                    sum.sources_changed.push(c.id.clone());
                    new_sources.push((c.clone(), self.build_source(&new, c)?));
                }
                None => {
                    sum.sources_added.push(c.id.clone());
                    new_sources.push((c.clone(), self.build_source(&new, c)?));
                }
            }
        }
        sum.sources_removed = running
            .iter()
            .filter(|id| !new_ids.contains(id.as_str()))
            .cloned()
            .collect();
        sum.sources_removed.sort();
        drop(new_ids);

        let chain_changed = new.extractors != old.extractors;
        let new_chain = if chain_changed {
            Some(self.build_chain(&new, &new.extractors)?)
        } else {
            None
        };
        sum.extractors_changed = chain_changed;

        let mut new_sinks: BTreeMap<String, Arc<dyn Sink>> = BTreeMap::new();
        for s in &new.sinks {
            match old.sinks.iter().find(|o| o.component.id == s.component.id) {
                Some(o) if o.same_as(s) => {}
                Some(_) => {
                    sum.sinks_changed.push(s.component.id.clone());
                    new_sinks.insert(s.component.id.clone(), self.build_sink(&new, &s.component)?);
                }
                None => {
                    sum.sinks_added.push(s.component.id.clone());
                    new_sinks.insert(s.component.id.clone(), self.build_sink(&new, &s.component)?);
                }
            }
        }
        sum.sinks_removed = old
            .sinks
            .iter()
            .filter(|o| !new.sinks.iter().any(|s| s.component.id == o.component.id))
            .map(|o| o.component.id.clone())
            .collect();

        // 2. Swap.
        let cur = self.live();
        let new = Arc::new(new);
        let mut next = Live {
            config: new.clone(),
            chain: cur.chain.clone(),
            routes: cur.routes.clone(),
        };
        if let Some(chain) = new_chain {
            next.chain = Arc::new(chain);
            let old_chain = cur.chain.clone();
            tokio::spawn(async move {
                // Shut the old extractors down once no item uses them any more.
                let mut old_chain = old_chain;
                loop {
                    match Arc::try_unwrap(old_chain) {
                        Ok(steps) => {
                            for s in steps {
                                s.ex.shutdown().await;
                            }
                            break;
                        }
                        Err(still) => {
                            old_chain = still;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            });
        }
        let mut retired = Vec::new();
        if !new_sinks.is_empty() || !sum.sinks_removed.is_empty() {
            let old_routes = cur.routes.clone();
            let mut routes = Vec::new();
            for s in &new.sinks {
                let id = &s.component.id;
                match new_sinks.remove(id) {
                    Some(sink) => routes.push(self.spawn_route(s, sink)),
                    None => {
                        if let Some(r) = old_routes.iter().find(|r| &r.id == id) {
                            routes.push(Route {
                                id: r.id.clone(),
                                when: r.when.clone(),
                                handle: r.handle.clone(),
                            });
                        }
                    }
                }
            }
            for r in old_routes.iter() {
                if !routes.iter().any(|n| Arc::ptr_eq(&n.handle, &r.handle)) {
                    if sum.sinks_changed.contains(&r.id) {
                        // Its successor reads the same backlog: hand over instead of retrying.
                        r.handle.hand_over();
                    }
                    retired.push(r.handle.clone());
                }
            }
            next.routes = Arc::new(routes);
        }
        // The swap: from here every new item takes the new config, chain and routes.
        self.live.store(Arc::new(next));
        drop(cur);
        for id in &sum.sinks_removed {
            self.sink_stats.lock_unpoisoned().remove(id);
        }
        if !retired.is_empty() {
            tokio::spawn(async move {
                for h in retired {
                    close_when_unused(h).await;
                }
            });
        }
        let run = self.running.lock_unpoisoned().clone();
        for id in sum.sources_removed.iter().chain(sum.sources_changed.iter()) {
            self.stop_source(id).await;
            if sum.sources_removed.contains(id) {
                self.metrics.remove_source(id);
            }
        }
        if let Some((mode, shutdown)) = run {
            let herd = self.is_herd(mode, &new, new_sources.iter().map(|(c, _)| c.id.as_str()));
            for (c, source) in new_sources {
                self.start_source(&c, source, mode, &shutdown, herd);
            }
        }
        Ok(sum)
    }

    /// The configured spec of each running source.
    pub fn running_sources(&self) -> BTreeMap<String, Component> {
        let config = self.config();
        let running = self.sources.lock_unpoisoned();
        config
            .sources
            .iter()
            .filter(|c| running.contains_key(&c.id))
            .map(|c| (c.id.clone(), c.clone()))
            .collect()
    }
}
