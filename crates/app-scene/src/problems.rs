//! Problems readers found in the document (wrong types, NaN, huge arrays, unknown kinds), each
//! reported once however often the value is read.

use std::collections::HashSet;

/// At most this many distinct problems are remembered, so a hostile document cannot grow memory
/// without bound through unique messages.
const MAX_REMEMBERED: usize = 10_000;

/// Problems not yet handed out, plus every message ever reported (to report each once).
#[derive(Debug, Default)]
pub(crate) struct Problems {
    seen: HashSet<String>,
    queue: Vec<String>,
    overflowed: bool,
}

impl Problems {
    /// Queues each message not reported before.
    pub fn report(&mut self, messages: impl IntoIterator<Item = String>) {
        for message in messages {
            if self.seen.len() >= MAX_REMEMBERED {
                if !self.overflowed {
                    self.overflowed = true;
                    self.queue.push(format!(
                        "more than {MAX_REMEMBERED} document problems; no longer reporting"
                    ));
                }
                return;
            }
            if self.seen.insert(message.clone()) {
                self.queue.push(message);
            }
        }
    }

    /// Hands out the queued messages.
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.queue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_problem_once() {
        let mut p = Problems::default();
        p.report(["a".to_owned(), "b".to_owned(), "a".to_owned()]);
        p.report(["b".to_owned()]);
        assert_eq!(p.take(), ["a", "b"]);
        p.report(["a".to_owned()]);
        assert!(p.take().is_empty());
    }
}
