use super::*;
use chrono::TimeZone;

#[test]
fn only_four_digit_years_are_plausible() {
    for (y, ok) in [
        (262_142, false),
        (-1, false),
        (0, false),
        (999, false),
        (1000, true),
        (2025, true),
        (9999, true),
        (10_000, false),
    ] {
        let d = Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single().unwrap();
        assert_eq!(plausible_date(&d), ok, "{y}");
    }
    for d in ["Mon, 01 Jan 262142 00:00:00 GMT", "0000-01-01T00:00:00Z"] {
        let rss = format!(
            "<rss version=\"2.0\"><channel><title>T</title><item><guid>d</guid><pubDate>{d}</pubDate></item></channel></rss>"
        );
        assert_eq!(
            parse_feed(rss.as_bytes(), None, "s").unwrap()[0].published,
            None
        );
    }
}
