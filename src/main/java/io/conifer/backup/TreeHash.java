package io.conifer.backup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The {@value #NAMING} blob name: the content cut into leaves of {@link #LEAF} bytes (the last one
 * shorter), each hashed with SHA-256, and the name the SHA-256 of {@link #DOMAIN}, the content's length
 * (8 bytes, big-endian) and the leaf digests in order. Unlike one SHA-256 over the whole file, whose
 * every block waits for the one before, the leaves hash on every core at once: one core's SHA-256
 * (about 1 GB/s) no longer bounds a backup's copy.
 *
 * <p>The leaf size and the prefix are part of the format: a manifest entry records {@value #NAMING},
 * and an entry without it is named by plain SHA-256 ({@link ContentHash#forNaming}).
 *
 * <p>A parallel hash hashes each whole leaf of what it is given on {@link #HASHERS} shared threads,
 * reading the caller's bytes later: the caller must leave them unchanged until {@link #released}.
 * A sequential one hashes as it is given, like any other {@link ContentHash}. Either gives the same
 * name whatever pieces the content comes in.
 */
final class TreeHash implements ContentHash {
    static final String NAMING = "sha256-tree-2m";
    static final int LEAF = 2 << 20;
    private static final byte[] DOMAIN = ("conifer blob name " + NAMING + " leaf " + LEAF + "\n").getBytes(StandardCharsets.US_ASCII);
    static final int HASHERS = Math.min(8, Runtime.getRuntime().availableProcessors());
    /**
     * Shared by every copy, so all the leaves in flight together use the cores once. No queue: a leaf no
     * idle hasher takes is hashed by the thread that gives it, which would otherwise only wait for a
     * buffer to come free (and on a busy machine, each hand-off to another thread costs a wake-up).
     */
    private static final ExecutorService POOL = new ThreadPoolExecutor(HASHERS, HASHERS, 0, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "conifer-leaf-hash");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

    private final boolean parallel;
    private final List<CompletableFuture<byte[]>> leaves = new ArrayList<>();
    /** The leaf being filled, hashed as it comes. */
    private final MessageDigest open = LocalBackupRepository.sha256();
    private int openLength;
    private long length;
    private CompletableFuture<Void> released = CompletableFuture.completedFuture(null);

    private TreeHash(boolean parallel) {
        this.parallel = parallel;
    }

    static TreeHash sequential() {
        return new TreeHash(false);
    }

    static TreeHash parallel() {
        return new TreeHash(true);
    }

    @Override
    public void update(ByteBuffer bytes) {
        List<CompletableFuture<byte[]>> submitted = new ArrayList<>();
        while (bytes.hasRemaining()) {
            int at = bytes.position();
            if (parallel && openLength == 0 && bytes.remaining() >= LEAF) {
                ByteBuffer leaf = bytes.slice(at, LEAF);
                CompletableFuture<byte[]> digest = CompletableFuture.supplyAsync(() -> leafDigest(leaf), POOL);
                leaves.add(digest);
                submitted.add(digest);
                bytes.position(at + LEAF);
                length += LEAF;
                continue;
            }
            int n = Math.min(LEAF - openLength, bytes.remaining());
            open.update(bytes.slice(at, n));
            bytes.position(at + n);
            openLength += n;
            length += n;
            if (openLength == LEAF) {
                leaves.add(CompletableFuture.completedFuture(open.digest()));
                openLength = 0;
            }
        }
        released = CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> released() {
        return released;
    }

    @Override
    public String hex() {
        MessageDigest root = LocalBackupRepository.sha256();
        root.update(DOMAIN);
        root.update(ByteBuffer.allocate(Long.BYTES).putLong(length).array());
        for (CompletableFuture<byte[]> leaf : leaves) root.update(leaf.join());
        if (openLength > 0) root.update(open.digest());
        return HexFormat.of().formatHex(root.digest());
    }

    private static byte[] leafDigest(ByteBuffer leaf) {
        MessageDigest sha = LocalBackupRepository.sha256();
        sha.update(leaf);
        return sha.digest();
    }
}
