package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An op Lucene refuses while applying (after it was logged and fsynced) was answered with that error;
 * replay after a crash skips it the same way, so the index opens with every acknowledged write. It once
 * threw again on every open, leaving the whole index InitializationFailed.
 */
class RefusedApplyReplayTest {
    /** Ops are ids; one holding "refused" adds its id and then a term Lucene refuses (over 32766 bytes). */
    private static final RecordShape<String> SHAPE = new RecordShape<>() {
        @Override
        public byte[] encode(String op) {
            return op.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] payload) {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public void apply(IndexWriter writer, String op) throws IOException {
            Document doc = new Document();
            doc.add(new StringField("id", op, Field.Store.NO));
            if (op.contains("refused")) doc.add(new StringField("huge", "x".repeat(40_000), Field.Store.NO));
            writer.updateDocument(new Term("id", op), doc);
        }
    };

    @Test
    void aRefusedOpIsSkippedOnReplayAndTheWritesAroundItStay(@TempDir Path dir) throws Exception {
        StorageEngine<String> engine = StorageEngine.open(dir, SHAPE, null, null, StoreOptions.defaults(), new WriteGovernor(2,
                WriteGovernor.Clocks.SYSTEM));
        engine.write("before", List.of("before"));
        assertThrows(IllegalArgumentException.class, () -> engine.write("refused", List.of("refused")));
        engine.write("after", List.of("after"));
        assertEquals(2, count(engine));
        engine.abandon(); // as kill -9: the log still holds all three

        try (StorageEngine<String> reopened = StorageEngine.open(dir, SHAPE, null, null, StoreOptions.defaults(),
                new WriteGovernor(2, WriteGovernor.Clocks.SYSTEM))) {
            assertEquals(2, count(reopened), "the index opened with both acknowledged writes");
            reopened.write("later", List.of("later"));
            assertEquals(3, count(reopened));
        }
    }

    /**
     * Only Lucene's refusals are skipped: an op acknowledged when written that replay cannot apply (a bug of
     * a newer server, say) keeps the index from opening, the log kept whole, rather than vanish.
     */
    @Test
    void anAcknowledgedOpThatReplayCannotApplyKeepsTheIndexFromOpening(@TempDir Path dir) throws Exception {
        StorageEngine<String> engine = StorageEngine.open(dir, SHAPE, null, null, StoreOptions.defaults(), new WriteGovernor(2,
                WriteGovernor.Clocks.SYSTEM));
        engine.write("acknowledged", List.of("acknowledged"));
        engine.abandon();
        RecordShape<String> broken = new RecordShape<>() {
            @Override
            public byte[] encode(String op) {
                return SHAPE.encode(op);
            }

            @Override
            public String decode(byte[] payload) throws IOException {
                return SHAPE.decode(payload);
            }

            @Override
            public void apply(IndexWriter writer, String op) {
                throw new IllegalArgumentException("a bug of ours, not Lucene's refusal");
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageEngine.open(dir, broken, null,
                null, StoreOptions.defaults(), new WriteGovernor(2, WriteGovernor.Clocks.SYSTEM)));
        assertEquals("a bug of ours, not Lucene's refusal", e.getMessage());
        try (StorageEngine<String> fixed = StorageEngine.open(dir, SHAPE, null, null, StoreOptions.defaults(),
                new WriteGovernor(2, WriteGovernor.Clocks.SYSTEM))) {
            assertEquals(1, count(fixed), "the log kept the op for a server that can apply it");
        }
    }

    private static int count(StorageEngine<String> engine) {
        return engine.read(s -> s.count(new MatchAllDocsQuery())).result();
    }
}
