//! Turning a component's YAML options into its typed options struct.

use serde::de::DeserializeOwned;

use crate::BuildError;

/// Deserialise a plugin's options (the component's mapping without `id`, `type` and the
/// runtime's common keys). Errors carry the dotted path of the offending field, so the config
/// loader can report `FILE:LINE:COL`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Opts { words: Vec<String> }
/// let v = serde_json::json!({"words": ["gas"], "wrods": 1});
/// let err = feedloom_core::parse_options::<Opts>(&v).err().unwrap();
/// assert!(err.message.contains("unknown field `wrods`"));
/// assert_eq!(err.path, "wrods");
/// ```
pub fn parse_options<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, BuildError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        // serde_path_to_error already points unknown fields at the field itself.
        let mut path = dotted(&e.path().to_string());
        if path == "." {
            path.clear();
        }
        BuildError {
            path,
            message: e.inner().to_string(),
        }
    })
}

/// serde_path_to_error's `rules[0].regex` as the config's dotted `rules.0.regex`.
pub fn dotted(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '[' => out.push('.'),
            ']' => {}
            c => out.push(c),
        }
    }
    out.trim_start_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_indices_are_dotted() {
        assert_eq!(dotted("rules[0].wrods"), "rules.0.wrods");
        assert_eq!(dotted("[2].x"), "2.x");
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct R {
            name: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct O {
            rules: Vec<R>,
        }
        let e = parse_options::<O>(
            &serde_json::json!({"rules": [{"name": "a"}, {"name": "b", "nmae": 1}]}),
        )
        .unwrap_err();
        assert_eq!(e.path, "rules.1.nmae");
    }
}
