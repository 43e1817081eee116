package io.conifer.index;

import io.conifer.error.ConiferException;
import io.conifer.files.DiskSpace;
import io.conifer.files.DurableFiles;
import io.conifer.error.ErrorCode;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.VectorType;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every index's lifecycle: the catalog, each index's {@link VectorStore} and its data-plane
 * port. Control-plane changes are serialised on this object; they are rare and each must leave the
 * catalog, the directories and the ports consistent, rolling back whatever a failed step started.
 */
public final class IndexManager implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(IndexManager.class);

    /** What a client asks for when creating an index, already validated. */
    public record NewIndex(String name, VectorType vectorType, int dimension, Metric metric, boolean deletionProtection,
            Map<String, String> tags, String cloud, String region, Set<String> filterableFields, ReadCapacity readCapacity) {}

    /** An index being served. */
    public record OpenIndex(IndexDefinition definition, VectorStore store, Closeable server) {}

    /** Marks an index directory whose delete began on a full disk (see {@link #deleteOnFullDisk}). */
    private static final String DELETING = ".deleting";

    private final Path indexesDir;
    private final IndexCatalog catalog;
    private final DataPlaneHost host;
    private final InetAddress bindAddress;
    private final int firstDataPort;
    private final VectorStore.StoreOptions storeOptions;
    private final Map<String, OpenIndex> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService checkpoints;
    private final long checkpointIntervalMillis;
    private long lastFullCheckpoint = System.currentTimeMillis();

    public IndexManager(Path dataDir, DataPlaneHost host, InetAddress bindAddress, int firstDataPort,
            VectorStore.StoreOptions storeOptions, long checkpointIntervalMillis) throws IOException {
        this.indexesDir = dataDir.resolve("indexes");
        Files.createDirectories(indexesDir);
        this.catalog = IndexCatalog.load(dataDir.resolve("catalog.json"));
        this.host = host;
        this.bindAddress = bindAddress;
        this.firstDataPort = firstDataPort;
        this.storeOptions = storeOptions;
        this.checkpointIntervalMillis = checkpointIntervalMillis;
        this.checkpoints = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conifer-checkpoint");
            t.setDaemon(true);
            return t;
        });
        this.checkpoints.scheduleWithFixedDelay(this::maintainAll, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    /** Opens and serves every catalogued index and removes directories the catalog does not name. */
    public synchronized void start() throws IOException {
        Set<String> known = new HashSet<>();
        for (IndexDefinition def : catalog.all()) {
            if (!def.isReady()) {
                // A restore was under way when the server stopped: its files are incomplete.
                log.warn("Removing index '{}': its restore was interrupted", def.name());
                catalog.remove(def.id());
                continue;
            }
            if (Files.exists(indexesDir.resolve(def.id() + DELETING))) {
                log.warn("Finishing the delete of index '{}': the server stopped while deleting it", def.name());
                try {
                    catalog.remove(def.id());
                } catch (IOException e) {
                    if (!DiskSpace.isFull(e)) throw e;
                    known.add(def.id() + DELETING); // kept, so the next start tries again
                    log.warn("Index '{}' stays deleted but catalogued until the disk has room", def.name());
                }
                continue;
            }
            known.add(def.id());
            VectorStore store;
            try {
                store = VectorStore.open(indexesDir.resolve(def.id()), def.space(), storeOptions);
            } catch (IOException e) {
                throw new IOException("Cannot open index '" + def.name() + "' (" + def.id() + "): " + e.getMessage(), e);
            }
            String refused = store.writesRefused();
            if (refused != null) log.warn("Index '{}' ({}) serves reads only for now: {}", def.name(), def.id(), refused);
            try {
                open.put(def.id(), new OpenIndex(def, store, host.serve(def, store)));
            } catch (IOException e) {
                store.close();
                throw new IOException("Cannot serve index '" + def.name() + "' on its port " + def.port() + ": "
                        + e.getMessage(), e);
            }
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(indexesDir)) {
            for (Path d : dirs) {
                if (!known.contains(d.getFileName().toString())) {
                    log.info("Removing {}: no catalog entry names it (an interrupted create or delete)", d);
                    DurableFiles.deleteTree(d);
                }
            }
        }
    }

    public synchronized IndexDefinition create(String project, NewIndex req) throws IOException {
        if (find(project, req.name()) != null) {
            throw new ConiferException(ErrorCode.ALREADY_EXISTS, "Resource already exists: an index named '"
                    + req.name() + "' exists in this project.");
        }
        String id = UUID.randomUUID().toString();
        Path dir = indexesDir.resolve(id);
        Set<Integer> tried = new HashSet<>();
        while (true) {
            int port = allocatePort(tried);
            IndexDefinition def = new IndexDefinition(id, project, req.name(), req.vectorType(), req.dimension(),
                    req.metric(), req.deletionProtection(), new TreeMap<>(req.tags()), req.cloud(), req.region(),
                    req.filterableFields(), port, Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), IndexState.READY,
                    req.readCapacity());
            VectorStore store;
            try {
                store = VectorStore.open(dir, def.space(), storeOptions);
            } catch (IOException | RuntimeException e) {
                DurableFiles.deleteTree(dir);
                throw e;
            }
            Closeable server;
            try {
                server = host.serve(def, store);
            } catch (IOException e) {
                store.close();
                DurableFiles.deleteTree(dir);
                if (isBindFailure(e)) {
                    tried.add(port);
                    continue;
                }
                throw e;
            }
            try {
                catalog.put(def);
            } catch (IOException e) {
                server.close();
                store.close();
                DurableFiles.deleteTree(dir);
                throw e;
            }
            open.put(id, new OpenIndex(def, store, server));
            log.info("Created index '{}' ({}) on port {}", def.name(), def.id(), port);
            return def;
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    public synchronized void delete(String project, String name) throws IOException {
        OpenIndex index = require(project, name);
        requireReady(index);
        if (index.definition().deletionProtection()) {
            throw new ConiferException(ErrorCode.FORBIDDEN, "Deletion protection is enabled for this index. Disable deletion protection before retrying.");
        }
        String id = index.definition().id();
        try {
            catalog.remove(id);
        } catch (IOException e) {
            if (!DiskSpace.isFull(e)) throw e;
            deleteOnFullDisk(index);
            return;
        }
        open.remove(id);
        closeQuietly(index.server());
        closeQuietly(index.store());
        DurableFiles.deleteTree(indexesDir.resolve(id));
        log.info("Deleted index '{}' ({})", name, id);
    }

    /**
     * The catalog cannot be rewritten while the disk is full, so the index's files go first to make
     * room: its directory is renamed to a tombstone (which needs no space) and emptied, then the
     * catalog is rewritten and the tombstone removed. Should the server stop in between, {@link #start}
     * finds the tombstone and finishes the delete.
     */
    private void deleteOnFullDisk(OpenIndex index) throws IOException {
        String id = index.definition().id();
        open.remove(id);
        closeQuietly(index.server());
        closeQuietly(index.store());
        Path tombstone = indexesDir.resolve(id + DELETING);
        Files.move(indexesDir.resolve(id), tombstone, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(indexesDir);
        try (DirectoryStream<Path> contents = Files.newDirectoryStream(tombstone)) {
            for (Path p : contents) DurableFiles.deleteTree(p);
        }
        try {
            catalog.remove(id);
        } catch (IOException e) {
            if (!DiskSpace.isFull(e)) throw e;
            // Its files are gone and the tombstone makes the delete final: the next start drops the entry.
            log.warn("Deleted index '{}' ({}), but the disk is still too full to rewrite the catalog; the tombstone"
                    + " {} completes the delete at the next start", index.definition().name(), id, tombstone);
            return;
        }
        DurableFiles.deleteTree(tombstone);
        log.info("Deleted index '{}' ({}) on a full disk: its files went first to make room for the catalog",
                index.definition().name(), id);
    }

    /** Applies a configure_index request; {@code tags} values of "" remove the key; null leaves a setting as it is. */
    public synchronized IndexDefinition configure(String project, String name, Boolean deletionProtection,
            Map<String, String> tags, ReadCapacity readCapacity) throws IOException {
        OpenIndex index = require(project, name);
        requireReady(index);
        IndexDefinition def = index.definition();
        if (deletionProtection != null) def = def.withDeletionProtection(deletionProtection);
        if (readCapacity != null) def = def.withReadCapacity(readCapacity);
        if (tags != null) {
            Map<String, String> merged = new TreeMap<>(def.tags());
            tags.forEach((k, v) -> {
                if (v.isEmpty()) merged.remove(k);
                else merged.put(k, v);
            });
            IndexRules.tagCount(merged);
            def = def.withTags(merged);
        }
        catalog.put(def);
        open.put(def.id(), new OpenIndex(def, index.store(), index.server()));
        return def;
    }

    public OpenIndex require(String project, String name) {
        OpenIndex index = find(project, name);
        if (index == null) throw ConiferException.notFound("Index " + name + " not found.");
        return index;
    }

    /** The index, if it serves; one still being restored is a precondition failure. */
    public OpenIndex requireReady(String project, String name) {
        return requireReady(require(project, name));
    }

    private static OpenIndex requireReady(OpenIndex index) {
        if (!index.definition().isReady()) {
            throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Index " + index.definition().name()
                    + " is being restored from a backup; try again when its status is Ready");
        }
        return index;
    }

    /**
     * Reserves an index for a restore: it is catalogued (so its name is taken and it is listed, not
     * ready) and gets its port and an empty directory; nothing is served until {@link #activate}.
     */
    public synchronized IndexDefinition reserveForRestore(String project, NewIndex req) throws IOException {
        if (find(project, req.name()) != null) {
            throw new ConiferException(ErrorCode.ALREADY_EXISTS, "Resource already exists: an index named '"
                    + req.name() + "' exists in this project.");
        }
        IndexDefinition def = new IndexDefinition(UUID.randomUUID().toString(), project, req.name(), req.vectorType(),
                req.dimension(), req.metric(), req.deletionProtection(), new TreeMap<>(req.tags()), req.cloud(), req.region(),
                req.filterableFields(), allocatePort(new HashSet<>()), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
                IndexState.RESTORING, req.readCapacity());
        Files.createDirectories(luceneDir(def.id()));
        try {
            catalog.put(def);
        } catch (IOException e) {
            DurableFiles.deleteTree(indexesDir.resolve(def.id()));
            throw e;
        }
        open.put(def.id(), new OpenIndex(def, null, null));
        return def;
    }

    /** Where a restore writes the Lucene files of a reserved index. */
    public Path luceneDir(String indexId) {
        return indexesDir.resolve(indexId).resolve("lucene");
    }

    /** Opens and serves a restored index (on another port if its reserved one was taken meanwhile). */
    public synchronized IndexDefinition activate(String indexId) throws IOException {
        OpenIndex reserved = open.get(indexId);
        if (reserved == null || reserved.definition().isReady()) throw new IllegalStateException("not reserved: " + indexId);
        IndexDefinition def = reserved.definition();
        VectorStore store = VectorStore.open(indexesDir.resolve(indexId), def.space(), storeOptions);
        Set<Integer> tried = new HashSet<>();
        int port = def.port();
        while (true) {
            IndexDefinition ready = def.withState(IndexState.READY, port);
            Closeable server;
            try {
                server = host.serve(ready, store);
            } catch (IOException e) {
                if (!isBindFailure(e)) {
                    store.close();
                    throw e;
                }
                tried.add(port);
                port = allocatePort(tried);
                continue;
            }
            try {
                catalog.put(ready);
            } catch (IOException e) {
                server.close();
                store.close();
                throw e;
            }
            open.put(indexId, new OpenIndex(ready, store, server));
            log.info("Restored index '{}' ({}) is serving on port {}", ready.name(), indexId, port);
            return ready;
        }
    }

    /** Removes a reserved index whose restore failed, so nothing half-restored is left. */
    public synchronized void abandonRestore(String indexId) throws IOException {
        OpenIndex reserved = open.get(indexId);
        if (reserved == null || reserved.definition().isReady()) return;
        catalog.remove(indexId);
        open.remove(indexId);
        DurableFiles.deleteTree(indexesDir.resolve(indexId));
    }

    public OpenIndex find(String project, String name) {
        for (OpenIndex i : open.values()) {
            if (i.definition().project().equals(project) && i.definition().name().equals(name)) return i;
        }
        return null;
    }

    public int size() {
        return open.size();
    }

    public OpenIndex byId(String id) {
        return open.get(id);
    }

    /** The project's indexes in name order. */
    public List<OpenIndex> list(String project) {
        List<OpenIndex> out = new ArrayList<>();
        for (OpenIndex i : open.values()) {
            if (i.definition().project().equals(project)) out.add(i);
        }
        out.sort(Comparator.comparing(i -> i.definition().name()));
        return out;
    }

    /**
     * Allocates upwards from the highest port ever used, wrapping to the first data port only when the
     * range is exhausted: a client still connected to a deleted index's port (the SDKs cache
     * connections by index name) must not silently reach the next index created.
     */
    private int allocatePort(Set<Integer> tried) throws IOException {
        Set<Integer> used = new HashSet<>(tried);
        for (IndexDefinition d : catalog.all()) used.add(d.port());
        int from = Math.max(firstDataPort, catalog.nextPort());
        for (int port = from; port < 65536; port++) {
            if (!used.contains(port) && bindable(port)) return port;
        }
        for (int port = firstDataPort; port < from; port++) {
            if (!used.contains(port) && bindable(port)) return port;
        }
        throw new ConiferException(ErrorCode.RESOURCE_EXHAUSTED, "No free port at or above " + firstDataPort);
    }

    private boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bindAddress, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Every second: picks up merged segments for queries, checkpoints indexes that are due, and reopens
     * writers a storage failure stopped (each store logs its own failures, rate-limited).
     */
    private void maintainAll() {
        boolean full = System.currentTimeMillis() - lastFullCheckpoint >= checkpointIntervalMillis;
        for (OpenIndex i : open.values()) {
            if (i.store() == null) continue;
            try {
                i.store().maintain(full);
            } catch (RuntimeException e) {
                log.warn("Maintenance of index '{}' failed; its write-ahead log keeps every write", i.definition().name(), e);
            }
        }
        if (full) lastFullCheckpoint = System.currentTimeMillis();
    }

    /** Stops every index at once: each waits for its in-flight calls and its final checkpoint. */
    @Override
    public synchronized void close() {
        checkpoints.shutdownNow();
        try (ExecutorService closers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (OpenIndex i : open.values()) {
                closers.execute(() -> {
                    if (i.server() != null) closeQuietly(i.server());
                    if (i.store() != null) closeQuietly(i.store());
                });
            }
        }
        open.clear();
    }

    /** Stops serving without checkpointing, leaving disk as a kill -9 would (for tests of recovery). */
    public synchronized void crash() {
        checkpoints.shutdownNow();
        for (OpenIndex i : open.values()) {
            if (i.store() == null) continue;
            closeQuietly(i.server());
            try {
                i.store().abandon();
            } catch (IOException ignored) {
                // the point is to leave things as they are
            }
        }
        open.clear();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Error while closing {}", c, e);
        }
    }

}
