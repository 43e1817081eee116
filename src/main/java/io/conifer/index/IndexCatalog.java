package io.conifer.index;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.conifer.files.DurableFiles;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable list of indexes. Every change rewrites {@code catalog.json} through a temp file, fsync
 * and atomic rename, so a crash at any moment leaves either the previous or the new catalog, never a
 * torn one. The catalog is the source of truth: an index directory it does not name is garbage.
 */
final class IndexCatalog {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Replaces the catalog file; tests pass one that fails on demand. */
    interface FileWriter {
        void replace(Path file, byte[] bytes) throws IOException;
    }

    private final Path file;
    private final FileWriter writer;
    private final Map<String, IndexDefinition> byId = new LinkedHashMap<>();
    private final Map<String, DeletedIndex> deleted = new LinkedHashMap<>();
    /** One above the highest data port ever handed out, so a deleted index's port is not reused soon. */
    private int nextPort;

    private IndexCatalog(Path file, FileWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    static IndexCatalog load(Path file) throws IOException {
        return load(file, DurableFiles::writeAtomically);
    }

    static IndexCatalog load(Path file, FileWriter writer) throws IOException {
        IndexCatalog catalog = new IndexCatalog(file, writer);
        if (Files.exists(file)) {
            JsonNode stored = JSON.readTree(file.toFile());
            for (JsonNode entry : stored.path("indexes")) {
                IndexDefinition d = upgrade(JSON.treeToValue(entry, IndexDefinition.class), entry);
                catalog.byId.put(d.id(), d);
            }
            for (JsonNode entry : stored.path("deleted")) {
                DeletedIndex d = JSON.treeToValue(entry, DeletedIndex.class);
                catalog.deleted.put(d.id(), d);
            }
            catalog.nextPort = stored.path("nextPort").asInt();
        }
        return catalog;
    }

    /** The flat fields catalogs held before the typed index model; read only to upgrade such entries. */
    private record LegacyEntry(VectorType vectorType, int dimension, Metric metric, Set<String> filterableFields,
            String cloud, String region) {}

    /** Entries written before the typed model carry vector type, dimension, metric and cloud/region flat. */
    private static IndexDefinition upgrade(IndexDefinition d, JsonNode entry) throws IOException {
        if (d.schema() != null) return d;
        LegacyEntry old = JSON.treeToValue(entry, LegacyEntry.class);
        return new IndexDefinition(d.id(), d.project(), d.name(),
                IndexSchema.vectors(old.vectorType(), old.dimension(), old.metric(), old.filterableFields()),
                new Deployment(old.cloud(), old.region()), d.readCapacityOrDefault(), d.deletionProtection(), d.tags(),
                d.sourceBackupId(), d.port(), d.createdAt(), d.state());
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
            throw restored(e);
        }
    }

    /** Removes an entry that never served (an abandoned restore): nothing remembers it. */
    synchronized void remove(String id) throws IOException {
        IndexDefinition previous = byId.remove(id);
        try {
            save();
        } catch (IOException e) {
            if (previous != null) byId.put(id, previous);
            throw restored(e);
        }
    }

    /** Removes an index and remembers it as a deleted incarnation of its name. */
    synchronized void removeAsDeleted(String id, String deletedAt) throws IOException {
        IndexDefinition previous = byId.remove(id);
        if (previous == null) return;
        deleted.put(id, new DeletedIndex(id, previous.project(), previous.name(), deletedAt));
        try {
            save();
        } catch (IOException e) {
            deleted.remove(id);
            byId.put(id, previous);
            throw restored(e);
        }
    }

    /**
     * After a failed save, with the entries put back: writes them again, because the save may have
     * failed after its rename (the directory fsync), leaving on disk the catalog the caller was told
     * failed. A delete that failed so would otherwise have its index removed, data and all, at the next
     * start, as a directory no catalog entry names, while it goes on serving and acknowledging writes.
     */
    private IOException restored(IOException failure) {
        try {
            save();
        } catch (IOException again) {
            failure.addSuppressed(again);
        }
        return failure;
    }

    synchronized List<DeletedIndex> deleted() {
        return new ArrayList<>(deleted.values());
    }

    private void save() throws IOException {
        writer.replace(file, JSON.writeValueAsBytes(
                new Stored(new ArrayList<>(byId.values()), new ArrayList<>(deleted.values()), nextPort)));
    }

    record Stored(List<IndexDefinition> indexes, List<DeletedIndex> deleted, int nextPort) {}
}
