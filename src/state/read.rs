//! Reading files mcpctl did not necessarily write: a FIFO would hang the read, a symlink to
//! `/dev/zero` would grow memory without end. Only regular files are read, never through a
//! final symlink, and never past a size cap.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use nix::fcntl::OFlag;

/// A state file larger than this is not one mcpctl wrote.
pub(crate) const MAX_STATE_FILE: u64 = 64 * 1024 * 1024;

/// A state file (a guard, a history, a cache), read as `read_regular` does.
pub(crate) fn read_state(path: &Path) -> io::Result<Vec<u8>> {
    read_regular(path, MAX_STATE_FILE)
}

/// The whole file, when it is a regular file of at most `cap` bytes. A FIFO, socket, device or
/// symlink is an `InvalidInput` error that says what it is; a larger file is `FileTooLarge`.
pub(crate) fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    read_regular_into(path, cap, &mut bytes)?;
    Ok(bytes)
}

/// As `read_regular`, into a buffer the caller reuses.
pub(crate) fn read_regular_into(path: &Path, cap: u64, bytes: &mut Vec<u8>) -> io::Result<()> {
    let mut file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("is larger than {cap} bytes"),
        ));
    }
    bytes.clear();
    // The size may have grown since the stat: the cap holds whatever it says.
    (&mut file).take(cap + 1).read_to_end(bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("is larger than {cap} bytes"),
        ));
    }
    Ok(())
}

/// Opens a regular file for reading, never through a final symlink and never waiting on a FIFO.
pub(crate) fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits())
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(nix::errno::Errno::ELOOP as i32) {
                io::Error::new(io::ErrorKind::InvalidInput, "is a symlink; not followed")
            } else {
                e
            }
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is not a regular file ({})", kind(meta.file_type())),
        ));
    }
    Ok(file)
}

fn kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_symlinks_and_large_files_are_refused_without_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert_eq!(
            read_regular(&fifo, 10).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(
            read_regular(&link, 10).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let big = dir.path().join("big");
        std::fs::write(&big, [0u8; 11]).unwrap();
        assert_eq!(
            read_regular(&big, 10).unwrap_err().kind(),
            io::ErrorKind::FileTooLarge
        );
        std::fs::write(&big, b"ok").unwrap();
        assert_eq!(read_regular(&big, 10).unwrap(), b"ok");
    }
}
