//! Reading and writing files, with the path in every error.
//!
//! Text inputs are decoded here once: a UTF-8 byte-order mark is dropped, CRLF line
//! endings become LF, and the text is normalised to NFC, so nothing later has to care.

use std::path::Path;

use anyhow::{Context, Result};

use crate::error::InputError;
use crate::text;

/// Reads a text input, accepting a BOM, CRLF and NFD; a file that is not UTF-8 is an
/// [`InputError`] naming the line of the first bad byte.
pub fn read_text(path: &Path, shown_as: &Path) -> Result<String> {
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    decode_text(bytes, shown_as).map_err(Into::into)
}

/// Decodes the bytes of a text input (see [`read_text`]).
pub fn decode_text(mut bytes: Vec<u8>, shown_as: &Path) -> Result<String, InputError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = match simdutf8::basic::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just checked that the bytes are UTF-8; checking them
        // again with `String::from_utf8` would cost as much as reading the portal.
        Ok(_) => unsafe { String::from_utf8_unchecked(bytes) },
        // The standard library tells where the first bad byte is.
        Err(_) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
                return Err(InputError::at(
                    shown_as,
                    Some(line),
                    crate::messages::NOT_UTF8,
                ));
            }
        },
    };
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(match text::nfc(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(normalised) => normalised,
    })
}

/// Creates a folder and its parents.
pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("failed to create `{}`", path.display()))
}

/// Writes a file, creating its folder.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("failed to write `{}`", path.display()))
}

/// Copies a file, creating the target's folder.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("failed to copy `{}` to `{}`", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_crlf_and_nfd_are_accepted() {
        let input = "\u{feff}a\r\nHo\u{301}a\r\n".as_bytes().to_vec();
        assert_eq!(decode_text(input, Path::new("x.md")).unwrap(), "a\nHóa\n");
    }

    #[test]
    fn latin1_is_refused_with_its_line() {
        let err = decode_text(b"ok\nxin ch\xe0o\n".to_vec(), Path::new("x.md")).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("UTF-8"), "{}", err.message);
    }
}
