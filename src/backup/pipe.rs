//! The ciphertext's SHA-256 (for the sidecar) is computed on a second core while age works on
//! the first: blocks pass between them through a short bounded channel, so memory stays flat.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::error::SealError;

const BLOCK: usize = 256 * 1024;
const DEPTH: usize = 4;
/// How much is written before the kernel is asked to start putting it on disk.
const WRITEBACK: u64 = 1 << 20;

/// Size and hex SHA-256 of everything that passed.
pub(super) struct Digested {
    pub(super) size: u64,
    pub(super) sha256: String,
}

/// Reads `file` to its end on a second thread, hashing every byte, and lets `consume` read the
/// same bytes. The hash covers the whole file even when `consume` stops early.
pub(super) fn read_hashed<T>(
    mut file: File,
    consume: impl FnOnce(&mut dyn Read) -> T,
) -> (T, io::Result<Digested>) {
    let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
    // Read blocks come back to be filled again: a fresh block per read costs page faults.
    let (give_back, reuse) = sync_channel::<Vec<u8>>(DEPTH + 2);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut hasher = crate::hash::Hasher::default();
            let mut size = 0u64;
            let mut tx = Some(tx);
            loop {
                if crate::signal::requested() {
                    return Err(io::Error::other("interrupted by a signal"));
                }
                let mut block = reuse.try_recv().unwrap_or_default();
                block.resize(BLOCK, 0);
                let n = read_full(&mut file, &mut block)?;
                if n == 0 {
                    break;
                }
                block.truncate(n);
                hasher.update(&block);
                size += n as u64;
                // A consumer that has stopped only stops the sending, never the hashing.
                if tx.as_ref().is_some_and(|t| t.send(block).is_err()) {
                    tx = None;
                }
            }
            Ok(Digested {
                size,
                sha256: hasher.finish_hex(),
            })
        });
        let mut reader = ChannelReader {
            rx,
            give_back,
            block: Vec::new(),
            at: 0,
        };
        let out = consume(&mut reader);
        drop(reader);
        let digest = producer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the hashing thread panicked")));
        (out, digest)
    })
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    give_back: SyncSender<Vec<u8>>,
    block: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.block.len() {
            match self.rx.recv() {
                Ok(block) => {
                    let used = std::mem::replace(&mut self.block, block);
                    let _ = self.give_back.try_send(used);
                    self.at = 0;
                }
                // The producer is gone: end of file, or a read error it will report.
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Lets `produce` write into `file` through a second thread that hashes and writes each block.
pub(super) fn write_hashed(
    file: &mut File,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), SealError>,
) -> Result<Digested, SealError> {
    let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
    // Written blocks come back to be filled again: a fresh block per send costs page faults.
    let (give_back, reuse) = sync_channel::<Vec<u8>>(DEPTH + 2);
    std::thread::scope(|scope| {
        let consumer = scope.spawn(move || -> io::Result<Digested> {
            let mut hasher = crate::hash::Hasher::default();
            let mut size = 0u64;
            let mut flushing = 0u64;
            for mut block in rx {
                file.write_all(&block)?;
                hasher.update(&block);
                size += block.len() as u64;
                if size - flushing >= WRITEBACK {
                    start_writeback(file, flushing, size - flushing);
                    flushing = size;
                }
                block.clear();
                let _ = give_back.try_send(block);
            }
            Ok(Digested {
                size,
                sha256: hasher.finish_hex(),
            })
        });
        let mut writer = ChannelWriter {
            tx,
            reuse,
            block: Vec::with_capacity(BLOCK),
        };
        let produced =
            produce(&mut writer).and_then(|()| writer.send_block().map_err(SealError::Write));
        drop(writer);
        let written = consumer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked")))
            .map_err(SealError::Write);
        // A write error is the cause; the producer only saw the channel close.
        let digest = written?;
        produced.map(|()| digest)
    })
}

/// Starts writing `len` bytes at `offset` out to disk without waiting for them, so the disk
/// works while age encrypts the rest and the fsync before the rename finds little left: that
/// fsync was a fifth of a backup's time. On Linux `POSIX_FADV_DONTNEED` starts this writeback
/// (pages still being written stay cached). Only a hint: durability still comes from the fsync.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use nix::fcntl::{PosixFadviseAdvice, posix_fadvise};
    use nix::libc::off_t;
    if let (Ok(offset), Ok(len)) = (off_t::try_from(offset), off_t::try_from(len)) {
        let _ = posix_fadvise(file, offset, len, PosixFadviseAdvice::POSIX_FADV_DONTNEED);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File, _: u64, _: u64) {}

struct ChannelWriter {
    tx: SyncSender<Vec<u8>>,
    reuse: Receiver<Vec<u8>>,
    block: Vec<u8>,
}

impl ChannelWriter {
    fn send_block(&mut self) -> io::Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        let next = self
            .reuse
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let block = std::mem::replace(&mut self.block, next);
        self.tx
            .send(block)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the writer stopped"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SIGTERM mid-write: stop here; the caller drops the temp file.
        if crate::signal::requested() {
            return Err(io::Error::other("interrupted by a signal"));
        }
        let n = buf.len().min(BLOCK - self.block.len());
        self.block.extend_from_slice(&buf[..n]);
        if self.block.len() == BLOCK {
            self.send_block()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Seek;

    use super::*;

    #[test]
    fn what_is_written_is_read_back_with_the_same_digest() {
        // Past two writeback hints, and a block that is not full.
        let data: Vec<u8> = (0..usize::try_from(WRITEBACK * 2).unwrap() + BLOCK + 17)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        let mut tmp = tempfile::tempfile().unwrap();
        let written =
            write_hashed(&mut tmp, |w| w.write_all(&data).map_err(SealError::Write)).unwrap();
        assert_eq!(written.size, data.len() as u64);
        let file = tmp.try_clone().unwrap();
        tmp.rewind().unwrap();
        let (back, read) = read_hashed(file, |r| {
            let mut v = Vec::new();
            r.read_to_end(&mut v).map(|_| v)
        });
        assert_eq!(back.unwrap(), data);
        assert_eq!(read.unwrap().sha256, written.sha256);
    }

    #[test]
    fn a_consumer_that_stops_early_still_gets_the_whole_hash() {
        let mut tmp = tempfile::tempfile().unwrap();
        let data = vec![7u8; BLOCK * 8];
        tmp.write_all(&data).unwrap();
        tmp.rewind().unwrap();
        let ((), digest) = read_hashed(tmp, |r| {
            let mut first = [0u8; 10];
            r.read_exact(&mut first).unwrap();
        });
        let digest = digest.unwrap();
        assert_eq!(digest.size, data.len() as u64);
        assert_eq!(digest.sha256, crate::hash::sha256_hex(&data));
    }
}
