package io.conifer.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StandardDirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;

/**
 * Makes a directory a complete Lucene index of what an open NRT reader sees: the reader's files are
 * hard-linked (copied across file systems) while the reader pins them, and a segments file of its own
 * is written there. Nothing is committed or fsynced: the caller makes the copy durable (or discards it).
 */
final class PointInTimeExport {
    private PointInTimeExport() {}

    static PointInTime copy(DirectoryReader reader, Path luceneDir, Path target, String writerSession) throws IOException {
        Files.createDirectories(target);
        SegmentInfos infos = ((StandardDirectoryReader) reader).getSegmentInfos().clone();
        List<String> files = new ArrayList<>();
        for (String name : infos.files(false)) {
            linkOrCopy(luceneDir.resolve(name), target.resolve(name));
            files.add(name);
        }
        // The copy's log position is the last checkpoint's; a restored index starts a log of its own.
        try (Directory out = new UnsyncedDirectory(FSDirectory.open(target))) {
            infos.commit(out);
            files.add(SegmentInfos.getLastCommitSegmentsFileName(out));
        }
        SortedMap<String, Long> namespaces = NamespaceStats.namespaceCounts(new IndexSearcher(reader));
        long records = 0;
        for (long n : namespaces.values()) records += n;
        return new PointInTime(List.copyOf(files), namespaces, records, writerSession);
    }

    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(source, target);
        }
    }

    /** A point-in-time export is not durable by itself, so writing its segments file need not fsync. */
    private static final class UnsyncedDirectory extends FilterDirectory {
        UnsyncedDirectory(Directory in) {
            super(in);
        }

        @Override
        public void sync(Collection<String> names) {}

        @Override
        public void syncMetaData() {}
    }
}
