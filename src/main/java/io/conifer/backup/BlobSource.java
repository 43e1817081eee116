package io.conifer.backup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * A file's content as a repository stores it, read in chunks, with the name it is stored under: the
 * file as is under the {@link TreeHash} of its bytes ({@link #plain}), or encrypted under an HMAC of its bytes
 * ({@link EncryptedBlobs}). A repository's {@code stage} stores what the {@link BlobEncoding} it is
 * given yields, so every repository encrypts the same way without knowing how.
 */
public interface BlobSource extends Closeable {
    /** The bytes this yields in all, known before reading (the source file's size, encoded). */
    long storedLength();

    /**
     * Fills {@code buf} from its position to its limit with the next stored bytes and returns how many
     * it put there: every call but the last fills it; 0 means the end.
     */
    int read(ByteBuffer buf) throws IOException;

    /** The source file's bytes read so far. */
    long length();

    /** The blob's name (64 hex digits), once everything is read. */
    String name();

    /**
     * How {@link #name} is computed, as the manifest entry records it: {@link TreeHash#NAMING}, or null
     * when it is no plain blob's name (an encrypted blob's HMAC, whose stored header says which key's).
     */
    String naming();

    /**
     * Done once the bytes of the last {@link #read} are no longer read by this source: the buffer may be
     * filled again only then (the name's leaves may be hashed on other threads after {@code read} returns).
     */
    default CompletableFuture<Void> released() {
        return CompletableFuture.completedFuture(null);
    }

    /** The file's own bytes, named by their {@link TreeHash}, its leaves hashed in parallel. */
    static BlobSource plain(Path file) throws IOException {
        return new Plain(file, TreeHash.parallel(), TreeHash.NAMING);
    }

    /** The file's own bytes, {@link #name} being {@code hash} of them (a cheaper check when the name is known). */
    static BlobSource plain(Path file, ContentHash hash) throws IOException {
        return new Plain(file, hash, null);
    }

    /** The file's own bytes, named by a hash of them, checked against its Lucene footer if it has one. */
    final class Plain implements BlobSource {
        private final FileChannel in;
        private final long size;
        private final ContentHash hash;
        private final String naming;
        private final FooterCheck footer;
        private long position;

        private Plain(Path file, ContentHash hash, String naming) throws IOException {
            this.in = FileChannel.open(file, StandardOpenOption.READ);
            try {
                this.size = in.size();
                this.footer = FooterCheck.of(file, in, size);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
            this.hash = hash;
            this.naming = naming;
        }

        @Override
        public long storedLength() {
            return size;
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
            int start = buf.position();
            while (buf.hasRemaining() && position + buf.position() - start < size) {
                if (in.read(buf, position + buf.position() - start) < 0) break;
            }
            int n = buf.position() - start;
            ByteBuffer read = buf.duplicate().flip().position(start);
            footer.update(read);
            // Checked before the hash takes them: the last bytes of a refused file are never handed to a hasher.
            if (position < size && position + n >= size) footer.finish();
            hash.update(read);
            position += n;
            return n;
        }

        @Override
        public long length() {
            return position;
        }

        @Override
        public String name() {
            return hash.hex();
        }

        @Override
        public String naming() {
            return naming;
        }

        @Override
        public CompletableFuture<Void> released() {
            return hash.released();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
