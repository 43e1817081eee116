package io.conifer.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** File-system steps that make a file's contents and its name survive a crash, and tree removal. */
public final class DurableFiles {
    private DurableFiles() {}

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Creates {@code dir} and any missing parents, each made durable in its parent (a directory's entry
     * is not on disk until its parent is fsynced): files later fsynced inside it must not vanish with a
     * directory that a power loss forgot.
     */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) createDirectories(parent);
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
            return; // created meanwhile by another thread, which makes it durable
        }
        if (parent != null) fsyncDirectory(parent);
    }

    /** The most fsyncs {@link #fsyncAll} has in flight at once. */
    private static final int CONCURRENT_FSYNCS = 16;

    /**
     * Makes the contents of every file durable, many at once: as {@code sync} does, the file system
     * then commits them together instead of one journal commit and device flush after another.
     * Returns once every fsync has ended; the first failure is thrown.
     */
    public static void fsyncAll(List<Path> files) throws IOException {
        if (files.isEmpty()) return;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(CONCURRENT_FSYNCS, files.size()));
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (Path f : files) {
                pending.add(pool.submit(() -> {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                        ch.force(true);
                    }
                    return null;
                }));
            }
            IOException failure = null;
            for (Future<?> p : pending) {
                try {
                    awaitUninterruptibly(p);
                } catch (ExecutionException e) {
                    IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
                    if (failure == null) failure = io;
                    else failure.addSuppressed(io);
                }
            }
            if (failure != null) throw failure;
        } finally {
            pool.shutdown();
        }
    }

    /** Waits for {@code f} to end however often the caller is interrupted (the interrupt is kept for after). */
    public static void awaitUninterruptibly(Future<?> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Replaces {@code target} with {@code bytes} so that a crash leaves either the old or the new file. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        writeAtomically(target, bytes, new FileAttribute<?>[0]);
    }

    /**
     * As {@link #writeAtomically(Path, byte[])}, with the new file created with {@code attributes} (e.g.
     * owner-only permissions for a secret): set at creation, so the bytes are never readable under
     * looser ones, as they would be between a write and a later chmod.
     */
    public static void writeAtomically(Path target, byte[] bytes, FileAttribute<?>... attributes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        // A leftover from a crash keeps the permissions it was created with; only a new file takes ours.
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attributes)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /** Deletes a directory tree; a missing root is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
