package io.conifer.store;

import java.util.UUID;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.SearcherManager;

/**
 * The parts a storage failure breaks and a recovery replaces: the writer, its log and its searchers.
 * Once {@link #failure} is set it stays set; writes are refused and the searchers are never refreshed.
 * A store opened for reads only (a full disk at start) has no writer and no log.
 */
final class WriterGeneration {
    final IndexWriter writer;
    final WriteAheadLog wal;
    final SearcherManager searchers;
    final long committedSeq;
    /**
     * Names this IndexWriter's lifetime. Lucene never reuses a file name within one writer, but a
     * writer reopened after a crash recreates names of files that were flushed and never committed.
     */
    final String writerSession = UUID.randomUUID().toString();
    volatile Throwable failure;

    WriterGeneration(IndexWriter writer, WriteAheadLog wal, SearcherManager searchers, long committedSeq) {
        this.writer = writer;
        this.wal = wal;
        this.searchers = searchers;
        this.committedSeq = committedSeq;
    }
}
