package io.conifer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the write-ahead log's files in sequence order and tells a torn tail from corruption.
 *
 * <p>Records are {@code [int length][long seq][int crc32c(seq, payload)][payload]}, and the file
 * {@code wal-S.log} holds sequences {@code S, S+1, ...} without gaps. Reading stops at the first
 * place that breaks this (a short header or record, a bad checksum, a sequence out of order, or a
 * file that does not continue where the previous one ended). To judge that place, the rest of the log
 * is searched for records that are still whole: at every later byte offset of that file, and in every
 * later file, a header whose sequence could follow and whose checksum matches counts as a valid
 * record. A stop with no valid record after it in the last file is a torn tail (appends are
 * sequential and a record is acknowledged only after it and everything before it were fsynced, so a
 * crash can leave only an unacknowledged partial record at the very end). Anything else is corruption.
 */
final class WalReader {
    private static final int HEADER = WriteAheadLog.HEADER;

    /** Receives each valid record before the first stop, in order. */
    interface Visitor {
        void record(long seq, byte[] payload) throws IOException;
    }

    /**
     * Where reading stopped: {@code seq} is the sequence the record there should have had;
     * {@code recordsAfter} valid records ({@code firstSeqAfter..lastSeqAfter}) and {@code bytesAfter}
     * bytes lie beyond it, in this file and in {@code laterFiles}.
     */
    record Stop(Path file, long offset, long seq, String what, boolean torn, long recordsAfter, long firstSeqAfter,
            long lastSeqAfter, long bytesAfter, List<Path> laterFiles) {}

    /** What was read: {@code records} valid records up to {@code lastSeq} (0 if none), then {@code stop} or the end. */
    record Result(long records, long lastSeq, Stop stop) {}

    private WalReader() {}

    /** Reads {@code files} (sorted by first sequence); records at or below {@code afterSeq} may be missing. */
    static Result read(List<Path> files, long afterSeq, Visitor visitor) throws IOException {
        long records = 0;
        long lastSeq = 0;
        long expected = afterSeq + 1;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long first = WriteAheadLog.firstSeq(file);
            // A file may begin before the expected sequence only where the log was trimmed, and a gap is
            // harmless where every missing record is already in the Lucene commit.
            boolean continues = i == 0 ? first <= expected : first == expected || (first > expected && first - 1 <= afterSeq);
            try (Window w = new Window(file)) {
                if (!continues) {
                    String what = first > expected
                            ? "records " + expected + ".." + (first - 1) + " are missing (no log file holds them)"
                            : "a file starting at sequence " + first + " although the previous one ends at " + (expected - 1);
                    return new Result(records, lastSeq, stop(files, i, w, 0, expected, what, false, 0, first));
                }
                expected = first;
                long pos = 0;
                while (pos < w.size) {
                    Record r = w.recordAt(pos, expected, expected);
                    if (r == null) {
                        String what = w.whyNot(pos, expected);
                        return new Result(records, lastSeq, stop(files, i, w, pos, expected, what, true, pos + 1, expected));
                    }
                    visitor.record(r.seq, r.payload);
                    records++;
                    lastSeq = r.seq;
                    expected = r.seq + 1;
                    pos += HEADER + r.payload.length;
                }
            }
        }
        return new Result(records, lastSeq, null);
    }

    /** The stop at {@code offset}, counting what follows from {@code resumeAt} on; missing records are never a torn tail. */
    private static Stop stop(List<Path> files, int index, Window w, long offset, long seq, String what, boolean badRecord,
            long resumeAt, long minSeqAfter) throws IOException {
        Count count = new Count();
        count.bytes = w.size - offset;
        w.countValid(resumeAt, minSeqAfter, count);
        List<Path> later = List.copyOf(files.subList(index + 1, files.size()));
        for (Path f : later) {
            try (Window lw = new Window(f)) {
                count.bytes += lw.size;
                lw.countValid(0, WriteAheadLog.firstSeq(f), count);
            }
        }
        boolean torn = badRecord && later.isEmpty() && count.records == 0;
        return new Stop(w.file, offset, seq, what, torn, count.records, count.first, count.last, count.bytes, later);
    }

    private record Record(long seq, byte[] payload) {}

    private static final class Count {
        long records;
        long first = -1;
        long last = -1;
        long bytes;
    }

    /** Positional reads through a buffer, so that searching byte by byte for a valid header stays cheap. */
    private static final class Window implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        private long start = -1;

        Window(Path file) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            this.size = ch.size();
        }

        /** The whole, checksummed record at {@code pos} if its sequence is within {@code [minSeq, maxSeq]}. */
        Record recordAt(long pos, long minSeq, long maxSeq) throws IOException {
            if (pos + HEADER > size) return null;
            ByteBuffer h = bytes(pos, HEADER);
            int length = h.getInt();
            long seq = h.getLong();
            int crc = h.getInt();
            if (length < 0 || length > size - pos - HEADER || seq < minSeq || seq > maxSeq) return null;
            byte[] payload = new byte[length];
            bytes(pos + HEADER, length).get(payload);
            return WriteAheadLog.checksum(seq, payload) == crc ? new Record(seq, payload) : null;
        }

        String whyNot(long pos, long expected) throws IOException {
            if (pos + HEADER > size) return "a partial record header";
            ByteBuffer h = bytes(pos, HEADER);
            int length = h.getInt();
            long seq = h.getLong();
            if (length < 0 || length > size - pos - HEADER) return "a record whose length (" + length + ") runs past the end of the file";
            if (seq != expected) return "a record with sequence " + seq + " where " + expected + " was expected";
            return "a record whose checksum does not match";
        }

        /** Counts valid records from {@code from} on, resynchronising byte by byte after anything invalid. */
        void countValid(long from, long minSeq, Count count) throws IOException {
            long pos = from;
            long next = minSeq;
            while (pos + HEADER <= size) {
                // At most one record per HEADER bytes remains, which bounds the sequences worth checking.
                Record r = recordAt(pos, next, next + (size - pos) / HEADER);
                if (r == null) {
                    pos++;
                    continue;
                }
                if (count.first < 0) count.first = r.seq;
                count.last = r.seq;
                count.records++;
                next = r.seq + 1;
                pos += HEADER + r.payload.length;
            }
        }

        private ByteBuffer bytes(long pos, int length) throws IOException {
            if (length > buf.capacity()) {
                ByteBuffer big = ByteBuffer.allocate(length);
                readFully(big, pos);
                return big.flip();
            }
            if (start < 0 || pos < start || pos + length > start + buf.limit()) {
                buf.clear();
                readFully(buf, pos);
                buf.flip();
                start = pos;
            }
            return buf.duplicate().position((int) (pos - start)).limit((int) (pos - start) + length);
        }

        private void readFully(ByteBuffer into, long pos) throws IOException {
            long at = pos;
            while (into.hasRemaining()) {
                int n = ch.read(into, at);
                if (n < 0) break;
                at += n;
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
