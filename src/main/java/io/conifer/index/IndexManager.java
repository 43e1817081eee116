package io.conifer.index;

import io.conifer.documents.DocumentStore;
import io.conifer.documents.DurableDocumentStore;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.files.DiskSpace;
import io.conifer.files.DurableFiles;
import io.conifer.store.RecordStore;
import io.conifer.store.StoreOptions;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorStore;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every index's lifecycle: the catalog, each index's store ({@link VectorStore} or, for a
 * document index, {@link DurableDocumentStore}) and its data-plane port.
 *
 * <p>Locking: this object's monitor guards only in-memory bookkeeping (names taken, ports held, the
 * index map) and is never held across I/O. Each index's own monitor orders the catalog changes of that
 * index (configure, delete, activation); the catalog serialises its own small atomic file writes. Slow
 * work (opening a store, replaying its log, stopping a port, closing a store, deleting files) runs with
 * no lock held, off the request path where it can: a delete frees the name once the catalog no longer
 * names the index and closes the port and removes the files in the background.
 */
public final class IndexManager implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(IndexManager.class);

    /** What a client asks for when creating an index, already validated. */
    public record NewIndex(String name, IndexSchema schema, Deployment deployment, ReadCapacity readCapacity,
            boolean deletionProtection, Map<String, String> tags, String sourceBackupId) {}

    /**
     * A configure_index request, validated as far as it can be without the index (a read capacity patch
     * is complete only merged onto the index's); null leaves a setting as it is.
     */
    public record Changes(Boolean deletionProtection, Map<String, String> tags, ReadCapacityPatch readCapacity) {}

    /**
     * An index as callers see it now: its definition with its current state, its store once open, and
     * why it is {@code InitializationFailed} (null otherwise).
     */
    public record OpenIndex(IndexDefinition definition, RecordStore store, String problem) {}

    /** Opens (creating or recovering) the store in an index directory. */
    @FunctionalInterface
    public interface StoreOpener {
        VectorStore open(Path dir, VectorSpace space) throws IOException;

        default DurableDocumentStore openDocuments(Path dir, IndexSchema schema) throws IOException {
            return documentStore(dir, schema, StoreOptions.defaults());
        }

        /** The one place a document store gets the translation of its fetch, update and delete filters. */
        static DurableDocumentStore documentStore(Path dir, IndexSchema schema, StoreOptions options) throws IOException {
            return DurableDocumentStore.open(dir, schema, options);
        }

        /** Opens both kinds of store with {@code options}. */
        static StoreOpener withOptions(StoreOptions options) {
            return new StoreOpener() {
                @Override
                public VectorStore open(Path dir, VectorSpace space) throws IOException {
                    return VectorStore.open(dir, space, options);
                }

                @Override
                public DurableDocumentStore openDocuments(Path dir, IndexSchema schema) throws IOException {
                    return StoreOpener.documentStore(dir, schema, options);
                }
            };
        }
    }

    /** One catalogued index. Its fields change under its own monitor; readers see them through volatiles. */
    private static final class Entry implements StoreAccess {
        volatile IndexDefinition definition;
        volatile RecordStore store;
        volatile Closeable port;
        /** Why the store could not be opened, or why the port cannot be served (null when neither). */
        volatile String storeProblem;
        volatile String portProblem;
        volatile boolean deleted;
        /** Completes when the store's opening has ended, opened or failed. */
        final CompletableFuture<Void> opened = new CompletableFuture<>();

        Entry(IndexDefinition definition) {
            this.definition = definition;
        }

        IndexState state() {
            if (!definition.isReady()) return definition.state();
            if (storeProblem != null || portProblem != null) return IndexState.FAILED;
            return store == null ? IndexState.STARTING : IndexState.READY;
        }

        OpenIndex view() {
            IndexDefinition d = definition;
            return new OpenIndex(d.withState(state(), d.port()), store, storeProblem != null ? storeProblem : portProblem);
        }

        @Override
        public VectorStore vectors() {
            return (VectorStore) storeForCall(true);
        }

        @Override
        public DocumentStore documents() {
            return (DocumentStore) storeForCall(false);
        }

        /** What each data-plane call asks for: the store of the kind it needs, or an error saying why there is none. */
        private RecordStore storeForCall(boolean vectors) {
            RecordStore s = store;
            IndexDefinition d = definition;
            if (deleted) throw ConiferException.notFound("Index " + d.name() + " has been deleted.");
            if (d.schema().isVectorIndex() != vectors) {
                throw ConiferException.invalid(vectors
                        ? "Index " + d.name() + " is a document index: use the documents API (/namespaces/{namespace}/documents/...)"
                        : "Index " + d.name() + " is a vector index: use the vectors API (/vectors/...), not the documents API");
            }
            if (s != null) return s;
            throw new ConiferException(ErrorCode.UNAVAILABLE, storeProblem != null
                    ? "Index " + d.name() + " could not be opened: " + storeProblem
                    : "Index " + d.name() + " is starting (replaying its write-ahead log); retry shortly");
        }
    }

    /** Marks an index directory whose delete began on a full disk (see {@link #deleteOnFullDisk}). */
    private static final String DELETING = ".deleting";

    private final Path indexesDir;
    private final IndexCatalog catalog;
    private final DataPlaneHost host;
    private final InetAddress bindAddress;
    private final int firstDataPort;
    private final StoreOpener opener;
    private final CommitGate gate;
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    // Guarded by this: names taken (including creations not yet committed) and every port held by an
    // index, reserved, serving or still closing, so no new index is given a port that is not free yet.
    private final Map<String, String> names = new HashMap<>();
    private final Set<Integer> heldPorts = new HashSet<>();
    /** The ports of indexes deleted since start, by project and name, for an index created again under that name. */
    private final Map<String, Integer> retiredPorts = new HashMap<>();
    private int nextPort;
    private final ScheduledExecutorService maintenance;
    private final ExecutorService opening;
    private final ExecutorService background;
    private final long checkpointIntervalMillis;
    private long lastFullCheckpoint = System.currentTimeMillis();

    public IndexManager(Path dataDir, DataPlaneHost host, InetAddress bindAddress, int firstDataPort, StoreOpener opener,
            CommitGate gate, long checkpointIntervalMillis) throws IOException {
        this.indexesDir = dataDir.resolve("indexes");
        Files.createDirectories(indexesDir);
        this.catalog = IndexCatalog.load(dataDir.resolve("catalog.json"));
        this.nextPort = catalog.nextPort();
        this.host = host;
        this.bindAddress = bindAddress;
        this.firstDataPort = firstDataPort;
        this.opener = opener;
        this.gate = gate;
        this.checkpointIntervalMillis = checkpointIntervalMillis;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("conifer-checkpoint"));
        // Replays are CPU-bound: a couple at a time, so the control plane and the other indexes keep a core.
        this.opening = Executors.newFixedThreadPool(2, daemon("conifer-open"));
        this.background = Executors.newCachedThreadPool(daemon("conifer-delete"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Serves every catalogued index's port at once and opens the stores in the background: an index is
     * {@link IndexState#STARTING} (its calls answer UNAVAILABLE) until its log is replayed. An index
     * whose port is taken, or whose store cannot be opened, is {@link IndexState#FAILED}; the others serve.
     */
    public void start() throws IOException {
        List<Entry> catalogued = new ArrayList<>();
        Set<String> unfinishedDeletes = new HashSet<>();
        for (IndexDefinition def : catalog.all()) {
            if (!def.isReady()) {
                // A restore was under way when the server stopped (or its cleanup failed): its files are
                // incomplete. They go first, since on a full disk they are what the catalog needs room from.
                log.warn("Removing index '{}': its restore was interrupted", def.name());
                DurableFiles.deleteTree(indexesDir.resolve(def.id()));
                try {
                    catalog.remove(def.id());
                } catch (IOException e) {
                    if (!DiskSpace.isFull(e)) throw e;
                    log.warn("Index '{}' stays catalogued, never served, until the disk has room", def.name());
                }
                continue;
            }
            if (Files.exists(indexesDir.resolve(def.id() + DELETING))) {
                log.warn("Finishing the delete of index '{}': the server stopped while deleting it", def.name());
                try {
                    catalog.removeAsDeleted(def.id(), now());
                } catch (IOException e) {
                    if (!DiskSpace.isFull(e)) throw e;
                    unfinishedDeletes.add(def.id() + DELETING); // kept, so the next start tries again
                    log.warn("Index '{}' stays deleted but catalogued until the disk has room", def.name());
                }
                continue;
            }
            Entry e = new Entry(def);
            synchronized (this) {
                names.put(key(def.project(), def.name()), def.id());
                heldPorts.add(def.port());
            }
            byId.put(def.id(), e);
            catalogued.add(e);
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(indexesDir)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!byId.containsKey(name) && !unfinishedDeletes.contains(name)) {
                    log.info("Removing {}: no catalog entry names it (an interrupted create or delete)", d);
                    DurableFiles.deleteTree(d);
                }
            }
        }
        for (Entry e : catalogued) {
            servePort(e);
            opening.execute(() -> openStore(e));
        }
        maintenance.scheduleWithFixedDelay(this::maintainAll, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    private void openStore(Entry e) {
        IndexDefinition def = e.definition;
        try {
            RecordStore store = openStore(indexesDir.resolve(def.id()), def);
            e.store = store;
            String refused = store.writesRefused();
            if (refused != null) log.warn("Index '{}' ({}) serves reads only for now: {}", def.name(), def.id(), refused);
            log.info("Index '{}' ({}) is open{}", def.name(), def.id(), e.portProblem == null ? " and serving on port "
                    + def.port() : "; not served until its port " + def.port() + " is free");
        } catch (Throwable t) {
            e.storeProblem = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            // An I/O failure's message says what is wrong with the files; anything else may be a bug.
            log.error("Index '{}' ({}) cannot be opened and is not served (the others are): {}", def.name(), def.id(),
                    e.storeProblem, t instanceof IOException ? null : t);
        } finally {
            e.opened.complete(null);
        }
    }

    /** Binds the index's port; when another process holds it, records why and leaves it to the retry. */
    private void servePort(Entry e) {
        // Under the index's monitor, so a port is never bound for an index a concurrent delete forgot.
        synchronized (e) {
            if (!e.deleted) bind(e);
        }
    }

    private void bind(Entry e) {
        IndexDefinition def = e.definition;
        try {
            e.port = host.serve(def, e);
            if (e.portProblem != null) log.info("Index '{}' is now served on port {}", def.name(), def.port());
            e.portProblem = null;
        } catch (IOException ex) {
            if (e.portProblem == null) {
                log.warn("Index '{}' is not served: its port {} cannot be opened ({}); free the port (another process"
                        + " holds it?) and it is served within a second", def.name(), def.port(), ex.getMessage());
            }
            e.portProblem = "port " + def.port() + " cannot be opened: " + ex.getMessage();
        }
    }

    public IndexDefinition create(String project, NewIndex req) throws IOException {
        String id = UUID.randomUUID().toString();
        String key = key(project, req.name());
        int port = reserve(key, id);
        Path dir = indexesDir.resolve(id);
        RecordStore store = null;
        Entry entry = null;
        Set<Integer> tried = new HashSet<>();
        try {
            IndexDefinition def = definition(id, project, req, port, IndexState.READY);
            store = openStore(dir, def);
            entry = new Entry(def);
            entry.store = store;
            while (entry.port == null) {
                try {
                    entry.port = host.serve(entry.definition, entry);
                } catch (IOException e) {
                    if (!isBindFailure(e)) throw e;
                    tried.add(entry.definition.port());
                    int other = allocatePortFor(tried);
                    releasePort(entry.definition.port());
                    entry.definition = entry.definition.withState(IndexState.READY, other);
                }
            }
            gate.pass();
            catalog.put(entry.definition);
            kept(key);
        } catch (IOException | RuntimeException | Error e) {
            if (entry != null && entry.port != null) closeQuietly(entry.port);
            if (store != null) closeQuietly(store);
            DurableFiles.deleteTree(dir);
            synchronized (this) {
                names.remove(key);
                heldPorts.remove(entry == null ? port : entry.definition.port());
            }
            throw e;
        }
        entry.opened.complete(null);
        byId.put(id, entry);
        log.info("Created index '{}' ({}) on port {}", req.name(), id, entry.definition.port());
        return entry.definition;
    }

    /** A vector index's store or a document index's, as its schema says. */
    private RecordStore openStore(Path dir, IndexDefinition def) throws IOException {
        return def.schema().isVectorIndex() ? opener.open(dir, def.space()) : opener.openDocuments(dir, def.schema());
    }

    private static IndexDefinition definition(String id, String project, NewIndex req, int port, IndexState state) {
        return new IndexDefinition(id, project, req.name(), req.schema(), req.deployment(), req.readCapacity(),
                req.deletionProtection(), new TreeMap<>(req.tags()), req.sourceBackupId(), port, now(), state);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * Takes the name (409 if taken) and a port for a new index: the port its deleted namesake had, when
     * it is free. Pinecone derives a host from the index name, so an index deleted and created again keeps
     * its host, and the official SDKs cache connections by name (the Java SDK's survives a new client):
     * on a new port, every call through that cache failed until the process restarted.
     */
    private synchronized int reserve(String key, String id) {
        if (names.containsKey(key)) {
            throw new ConiferException(ErrorCode.ALREADY_EXISTS, "Resource already exists: an index named '"
                    + key.substring(key.indexOf('/') + 1) + "' exists in this project.");
        }
        Integer namesakes = retiredPorts.get(key); // kept until the index is catalogued (see kept), so a failed create leaves it
        int port;
        if (namesakes != null && !heldPorts.contains(namesakes) && bindable(namesakes)) {
            port = namesakes;
            heldPorts.add(port);
        } else {
            port = allocatePortFor(Set.of());
        }
        names.put(key, id);
        return port;
    }

    /** The index named {@code key} is catalogued: its deleted namesake's port, if it took it, is its own now. */
    private synchronized void kept(String key) {
        retiredPorts.remove(key);
    }

    /** Frees a deleted index's port, kept for an index created under the same name (see {@link #reserve}). */
    private synchronized void retirePort(Entry e) {
        releasePort(e.definition.port());
        retiredPorts.put(key(e.definition.project(), e.definition.name()), e.definition.port());
    }

    private synchronized int allocatePortFor(Set<Integer> tried) {
        int port = allocatePort(tried);
        heldPorts.add(port);
        nextPort = Math.max(nextPort, port + 1);
        return port;
    }

    private synchronized void releasePort(int port) {
        heldPorts.remove(port);
    }

    private static String key(String project, String name) {
        return project + "/" + name;
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    /**
     * Deletes at once as far as clients can tell: the catalog forgets the index and its name is free
     * when this returns; its port closes and its files go in the background (a crash before they are
     * gone leaves a directory no catalog entry names, removed on the next start).
     */
    public void delete(String project, String name) throws IOException {
        Entry e = entry(project, name);
        boolean fullDisk = false;
        synchronized (e) {
            if (e.deleted) throw ConiferException.notFound("Index " + name + " not found.");
            requireNotRestoring(e);
            if (e.definition.deletionProtection()) {
                throw new ConiferException(ErrorCode.FORBIDDEN,
                        "Deletion protection is enabled for this index. Disable deletion protection before retrying.");
            }
            gate.pass();
            try {
                catalog.removeAsDeleted(e.definition.id(), now());
            } catch (IOException ex) {
                if (!DiskSpace.isFull(ex)) throw ex;
                fullDisk = true;
            }
            e.deleted = true;
        }
        forget(e);
        if (fullDisk) {
            deleteOnFullDisk(e);
            return;
        }
        // The port closes now (in-flight calls get up to 500 ms), so a create of the same name right after can take it.
        boolean portClosed = e.opened.isDone();
        if (portClosed) closePort(e);
        background.execute(() -> {
            e.opened.join();
            if (!portClosed) closePort(e);
            if (e.store != null) closeQuietly(e.store);
            try {
                DurableFiles.deleteTree(indexesDir.resolve(e.definition.id()));
            } catch (IOException ex) {
                log.warn("Could not remove the files of deleted index '{}' (removed on the next start)", name, ex);
            }
            log.info("Removed the port and files of deleted index '{}' ({})", name, e.definition.id());
        });
        log.info("Deleted index '{}' ({})", name, e.definition.id());
    }

    private void closePort(Entry e) {
        if (e.port != null) closeQuietly(e.port);
        retirePort(e);
    }

    /**
     * The catalog cannot be rewritten while the disk is full, so the index's files go first to make
     * room, in the request (the disk is full: this delete is what frees it): its directory is renamed
     * to a tombstone (which needs no space) and emptied, then the catalog is rewritten and the tombstone
     * removed. Should the server stop in between, {@link #start} finds the tombstone and finishes the delete.
     */
    private void deleteOnFullDisk(Entry e) throws IOException {
        String id = e.definition.id();
        e.opened.join();
        closePort(e);
        if (e.store != null) closeQuietly(e.store);
        Path tombstone = indexesDir.resolve(id + DELETING);
        Files.move(indexesDir.resolve(id), tombstone, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(indexesDir);
        try (DirectoryStream<Path> contents = Files.newDirectoryStream(tombstone)) {
            for (Path p : contents) DurableFiles.deleteTree(p);
        }
        try {
            catalog.removeAsDeleted(id, now());
        } catch (IOException ex) {
            if (!DiskSpace.isFull(ex)) throw ex;
            // Its files are gone and the tombstone makes the delete final: the next start drops the entry.
            log.warn("Deleted index '{}' ({}), but the disk is still too full to rewrite the catalog; the tombstone"
                    + " {} completes the delete at the next start", e.definition.name(), id, tombstone);
            return;
        }
        DurableFiles.deleteTree(tombstone);
        log.info("Deleted index '{}' ({}) on a full disk: its files went first to make room for the catalog",
                e.definition.name(), id);
    }

    private synchronized void forget(Entry e) {
        names.remove(key(e.definition.project(), e.definition.name()));
        byId.remove(e.definition.id());
    }

    /** Applies a configure_index request; {@code tags} values of "" remove the key; null leaves a setting as it is. */
    public IndexDefinition configure(String project, String name, Changes changes) throws IOException {
        Boolean deletionProtection = changes.deletionProtection();
        Map<String, String> tags = changes.tags();
        ReadCapacityPatch readCapacity = changes.readCapacity();
        Entry e = entry(project, name);
        synchronized (e) {
            if (e.deleted) throw ConiferException.notFound("Index " + name + " not found.");
            requireNotRestoring(e);
            IndexDefinition def = e.definition;
            if (deletionProtection != null) def = def.withDeletionProtection(deletionProtection);
            if (readCapacity != null) def = def.withReadCapacity(readCapacity.applyTo(def.readCapacityOrDefault()));
            if (tags != null) {
                Map<String, String> merged = new TreeMap<>(def.tags());
                tags.forEach((k, v) -> {
                    if (v.isEmpty()) merged.remove(k);
                    else merged.put(k, v);
                });
                IndexRules.tagCount(merged);
                def = def.withTags(merged);
            }
            gate.pass();
            catalog.put(def);
            e.definition = def;
            return e.view().definition();
        }
    }

    private Entry entry(String project, String name) {
        String id;
        synchronized (this) {
            id = names.get(key(project, name));
        }
        Entry e = id == null ? null : byId.get(id);
        if (e == null) throw ConiferException.notFound("Index " + name + " not found.");
        return e;
    }

    public OpenIndex require(String project, String name) {
        return entry(project, name).view();
    }

    /** The vectors API's store of a vector index, as the data plane sees it (see {@link StoreAccess}). */
    public VectorStore vectors(String project, String name) {
        return entry(project, name).vectors();
    }

    /**
     * The documents API's store of a document index, as the data plane sees it: not found once deleted,
     * 400 for a vector index, UNAVAILABLE while it opens or when it could not be opened.
     */
    public DocumentStore documents(String project, String name) {
        return entry(project, name).documents();
    }

    /** The index, if it serves; one being restored, starting or failed is a precondition failure. */
    public OpenIndex requireReady(String project, String name) {
        Entry e = entry(project, name);
        OpenIndex view = e.view();
        IndexState state = view.definition().state();
        if (state == IndexState.READY) return view;
        String why = switch (state) {
            case RESTORING -> "is being restored from a backup; try again when its status is Ready";
            case STARTING -> "is starting (replaying its write-ahead log); try again when its status is Ready";
            default -> "cannot be served: " + (e.storeProblem != null ? e.storeProblem : e.portProblem);
        };
        throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Index " + view.definition().name() + " " + why);
    }

    private static void requireNotRestoring(Entry e) {
        if (e.definition.state() == IndexState.RESTORING) {
            throw new ConiferException(ErrorCode.FAILED_PRECONDITION, "Index " + e.definition.name()
                    + " is being restored from a backup; try again when its status is Ready");
        }
    }

    /**
     * Reserves an index for a restore: it is catalogued (so its name is taken and it is listed, not
     * ready) and gets its port and an empty directory; nothing is served until {@link #activate}.
     */
    public IndexDefinition reserveForRestore(String project, NewIndex req) throws IOException {
        String id = UUID.randomUUID().toString();
        String key = key(project, req.name());
        int port = reserve(key, id);
        IndexDefinition def = definition(id, project, req, port, IndexState.RESTORING);
        try {
            gate.pass();
            DurableFiles.createDirectories(luceneDir(id));
            catalog.put(def);
            kept(key);
        } catch (IOException | RuntimeException e) {
            DurableFiles.deleteTree(indexesDir.resolve(id));
            synchronized (this) {
                names.remove(key);
                heldPorts.remove(port);
            }
            throw e;
        }
        byId.put(id, new Entry(def));
        return def;
    }

    /** Where a restore writes the Lucene files of a reserved index. */
    public Path luceneDir(String indexId) {
        return indexesDir.resolve(indexId).resolve("lucene");
    }

    /** Opens and serves a restored index (on another port if its reserved one was taken meanwhile). */
    public IndexDefinition activate(String indexId) throws IOException {
        Entry e = byId.get(indexId);
        if (e == null || e.definition.isReady()) throw new IllegalStateException("not reserved: " + indexId);
        RecordStore store = openStore(indexesDir.resolve(indexId), e.definition);
        Set<Integer> tried = new HashSet<>();
        int port = e.definition.port();
        Closeable server = null;
        try {
            while (server == null) {
                IndexDefinition candidate = e.definition.withState(IndexState.READY, port);
                try {
                    server = host.serve(candidate, e);
                } catch (IOException ex) {
                    if (!isBindFailure(ex)) throw ex;
                    tried.add(port);
                    releasePort(port);
                    port = allocatePortFor(tried);
                }
            }
            synchronized (e) {
                IndexDefinition ready = e.definition.withState(IndexState.READY, port);
                catalog.put(ready);
                e.store = store;
                e.port = server;
                e.definition = ready;
            }
        } catch (IOException | RuntimeException ex) {
            if (server != null) closeQuietly(server);
            closeQuietly(store);
            throw ex;
        } finally {
            e.opened.complete(null);
        }
        log.info("Restored index '{}' ({}) is serving on port {}", e.definition.name(), indexId, port);
        return e.definition;
    }

    /**
     * Removes a reserved index whose restore failed, so nothing half-restored is left. Its files go
     * first: on a full disk they are what keeps the catalog from being rewritten. Each step is tried
     * even if one before it failed, and the name and port are freed either way: a reserved entry left in
     * the catalog never served and the next {@link #start} drops it, as it removes files nothing names.
     */
    public void abandonRestore(String indexId) throws IOException {
        Entry e = byId.get(indexId);
        if (e == null) return;
        synchronized (e) {
            if (e.definition.isReady() || e.deleted) return;
            e.deleted = true;
        }
        e.opened.complete(null);
        IOException failure = null;
        try {
            DurableFiles.deleteTree(indexesDir.resolve(indexId));
        } catch (IOException ex) {
            failure = ex;
        }
        try {
            catalog.remove(indexId);
        } catch (IOException ex) {
            if (failure == null) failure = ex;
            else failure.addSuppressed(ex);
        }
        forget(e);
        releasePort(e.definition.port());
        if (failure != null) throw failure;
    }

    /** Completes when every index catalogued at start has finished opening (opened or failed). */
    public CompletableFuture<Void> whenOpened() {
        return CompletableFuture.allOf(byId.values().stream().map(e -> e.opened).toArray(CompletableFuture[]::new));
    }

    /**
     * When the index incarnation with this id was deleted, or null if it serves (or never existed):
     * a name reused after a delete belongs to a new incarnation with its own id.
     */
    public String deletedAt(String indexId) {
        for (DeletedIndex d : catalog.deleted()) if (d.id().equals(indexId)) return d.deletedAt();
        return null;
    }

    /** The ids of every incarnation, live or deleted, that has carried this name in the project. */
    public Set<String> incarnations(String project, String name) {
        Set<String> ids = new HashSet<>();
        synchronized (this) {
            String live = names.get(key(project, name));
            if (live != null && byId.containsKey(live)) ids.add(live);
        }
        for (DeletedIndex d : catalog.deleted()) if (d.project().equals(project) && d.name().equals(name)) ids.add(d.id());
        return ids;
    }

    public int size() {
        return byId.size();
    }

    public OpenIndex byId(String id) {
        Entry e = byId.get(id);
        return e == null ? null : e.view();
    }

    /** The project's indexes in name order. */
    public List<OpenIndex> list(String project) {
        List<OpenIndex> out = new ArrayList<>();
        for (Entry e : byId.values()) {
            if (e.definition.project().equals(project)) out.add(e.view());
        }
        out.sort(Comparator.comparing(i -> i.definition().name()));
        return out;
    }

    /**
     * Allocates upwards from the highest port ever used, wrapping to the first data port only when the
     * range is exhausted: a client still connected to a deleted index's port (the SDKs cache
     * connections by index name) must not silently reach the next index created.
     */
    private int allocatePort(Set<Integer> tried) {
        int from = Math.max(firstDataPort, nextPort);
        for (int port = from; port < 65536; port++) {
            if (!heldPorts.contains(port) && !tried.contains(port) && bindable(port)) return port;
        }
        for (int port = firstDataPort; port < from; port++) {
            if (!heldPorts.contains(port) && !tried.contains(port) && bindable(port)) return port;
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
     * Every second: retries the ports other processes held, picks up merged segments for queries,
     * checkpoints indexes that are due, and reopens writers a storage failure stopped (each store logs
     * its own failures, rate-limited).
     */
    private void maintainAll() {
        boolean full = System.currentTimeMillis() - lastFullCheckpoint >= checkpointIntervalMillis;
        for (Entry e : byId.values()) {
            if (e.deleted || !e.definition.isReady()) continue;
            // A probe first: building a server every second for a port still held would be waste.
            if (e.port == null && bindable(e.definition.port())) servePort(e);
            RecordStore store = e.store;
            if (store == null) continue;
            try {
                store.maintain(full);
            } catch (RuntimeException ex) {
                if (!e.deleted) {
                    log.warn("Maintenance of index '{}' failed; its write-ahead log keeps every write", e.definition.name(), ex);
                }
            }
        }
        if (full) lastFullCheckpoint = System.currentTimeMillis();
    }

    /** Stops every index at once: each waits for its in-flight calls and its final checkpoint. */
    @Override
    public void close() {
        stop(false);
    }

    /** Stops serving without checkpointing, leaving disk as a kill -9 would (for tests of recovery). */
    public void crash() {
        stop(true);
    }

    private void stop(boolean crash) {
        // Not shutdownNow: a tick in progress runs Lucene I/O, and an interrupt closes the channel it is
        // on (ClosedByInterruptException), here the writer's lock: the writer fails and so does the final
        // checkpoint. The tick ends by itself once its store closes (maintenance skips a closed store).
        maintenance.shutdown();
        opening.shutdownNow();
        awaitQuietly(opening);
        try (ExecutorService closers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Entry e : byId.values()) {
                closers.execute(() -> {
                    if (e.port != null) closeQuietly(e.port);
                    RecordStore store = e.store;
                    if (store == null) return;
                    if (!crash) {
                        closeQuietly(store);
                        return;
                    }
                    try {
                        store.abandon();
                    } catch (IOException ignored) {
                        // the point is to leave things as they are
                    }
                });
            }
        }
        byId.clear();
        awaitQuietly(maintenance);
        background.shutdown();
        awaitQuietly(background);
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Error while closing {}", c, e);
        }
    }
}
