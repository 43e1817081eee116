package io.conifer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A catalog change that fails leaves the catalog on disk as the one in memory: the index it names. */
class CatalogSaveFailureTest {
    private static final String ID = "6b1c2d3e-0000-4000-8000-000000000001";

    @Test
    void aDeleteWhoseSaveFailsAfterTheRenameLeavesTheIndexInTheCatalogOnDisk(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, """
                {"indexes":[{"id":"%s","project":"default","name":"kept","vectorType":"DENSE","dimension":3,
                "metric":"COSINE","port":5081,"createdAt":"2026-01-01T00:00:00.000Z","state":"READY"}],"nextPort":5082}
                """.formatted(ID));
        AtomicBoolean failAfterRename = new AtomicBoolean(true);
        IndexCatalog catalog = IndexCatalog.load(file, (target, bytes) -> {
            DurableFiles.writeAtomically(target, bytes);
            // The directory fsync after the rename failed: the new file is in place, the caller is told no.
            if (failAfterRename.getAndSet(false)) throw new IOException("fsync of the directory failed (injected)");
        });

        assertThrows(IOException.class, () -> catalog.removeAsDeleted(ID, "2026-11-29T00:00:00.000Z"));

        assertEquals(List.of(ID), catalog.all().stream().map(IndexDefinition::id).toList(), "the failed delete changed nothing");
        assertEquals(List.of(ID), IndexCatalog.load(file).all().stream().map(IndexDefinition::id).toList(),
                "the next start must find the index it goes on serving, or it removes its directory");
        assertEquals(List.of(), IndexCatalog.load(file).deleted());
    }
}
