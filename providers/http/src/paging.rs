//! Paging that always ends: an API that keeps saying "there is more" (a page token that
//! repeats, a page count that grows) makes nsync stop with an error naming the provider
//! and operation, instead of reading for ever.

use nsync_core::provider::{ErrorKind, ProviderError};

/// More pages than any zone nsync syncs needs (a million records at 100 a page).
pub const MAX_PAGES: usize = 10_000;

#[derive(Default)]
pub struct Paging {
    pages: usize,
    last: Option<String>,
}

impl Paging {
    /// Counts one more page, reached with `token` (the API's "next" marker: a page
    /// number, a record name and type).
    pub fn next(
        &mut self,
        provider: &str,
        operation: &str,
        token: String,
    ) -> Result<(), ProviderError> {
        self.pages += 1;
        let stop = |why: String| {
            Err(ProviderError::new(
                ErrorKind::Permanent,
                provider,
                operation,
                format!(
                    "{why}; nsync stopped reading (the API's paging is broken; try again later or report it to the provider)"
                ),
            ))
        };
        if self.last.as_deref() == Some(token.as_str()) {
            return stop(format!(
                "the API sent the same next-page marker twice ({token})"
            ));
        }
        if self.pages > MAX_PAGES {
            return stop(format!(
                "the API says there is more after {MAX_PAGES} pages"
            ));
        }
        self.last = Some(token);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_marker_or_endless_pages_stop_with_an_error() {
        let mut p = Paging::default();
        p.next("p", "list", "a".into()).unwrap();
        let e = p.next("p", "list", "a".into()).unwrap_err();
        assert!(e.message.contains("same next-page marker twice (a)"), "{e}");
        let mut p = Paging::default();
        for i in 0..MAX_PAGES {
            p.next("p", "list", i.to_string()).unwrap();
        }
        let e = p.next("p", "list", "last".into()).unwrap_err();
        assert!(e.message.contains("after 10000 pages"), "{e}");
    }
}
