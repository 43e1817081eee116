package io.conifer.index;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable list of indexes. Every change rewrites {@code catalog.json} through a temp file, fsync
 * and atomic rename, so a crash at any moment leaves either the previous or the new catalog, never a
 * torn one. The catalog is the source of truth: an index directory it does not name is garbage.
 */
final class IndexCatalog {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private final Map<String, IndexDefinition> byId = new LinkedHashMap<>();
    /** One above the highest data port ever handed out, so a deleted index's port is not reused soon. */
    private int nextPort;

    private IndexCatalog(Path file) {
        this.file = file;
    }

    static IndexCatalog load(Path file) throws IOException {
        IndexCatalog catalog = new IndexCatalog(file);
        if (Files.exists(file)) {
            Stored stored = JSON.readValue(file.toFile(), Stored.class);
            for (IndexDefinition d : stored.indexes()) catalog.byId.put(d.id(), d);
            catalog.nextPort = stored.nextPort();
        }
        return catalog;
    }

    synchronized List<IndexDefinition> all() {
        return new ArrayList<>(byId.values());
    }

    synchronized int nextPort() {
        return nextPort;
    }

    synchronized void put(IndexDefinition def) throws IOException {
        IndexDefinition previous = byId.put(def.id(), def);
        int previousNext = nextPort;
        nextPort = Math.max(nextPort, def.port() + 1);
        try {
            save();
        } catch (IOException e) {
            if (previous == null) byId.remove(def.id());
            else byId.put(def.id(), previous);
            nextPort = previousNext;
            throw e;
        }
    }

    synchronized void remove(String id) throws IOException {
        IndexDefinition previous = byId.remove(id);
        try {
            save();
        } catch (IOException e) {
            if (previous != null) byId.put(id, previous);
            throw e;
        }
    }

    private void save() throws IOException {
        DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Stored(new ArrayList<>(byId.values()), nextPort)));
    }

    record Stored(List<IndexDefinition> indexes, int nextPort) {}
}
