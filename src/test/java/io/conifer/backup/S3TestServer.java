package io.conifer.backup;

import io.conifer.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A real S3 protocol server for tests: s3proxy in this JVM over HTTP, storing objects in a directory (so
 * they survive {@link #stop} and {@link #start}, on the same port), with SigV4 authentication against
 * the credentials {@link #useCredentials} gives the SDK's default chain. {@link Faults} slows requests,
 * answers some with 503, or holds writes, in the server itself.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String BUCKET = "backups";
    private static final String ACCESS_KEY = "conifer-test";
    private static final String SECRET_KEY = "conifer-test-secret-key";

    /** Faults the server injects into object writes and reads. */
    public static final class Faults {
        /** Added before every object read and write. */
        public volatile Duration delay = Duration.ZERO;
        /** This many of the next object requests are answered 503 Slow Down. */
        public final AtomicInteger throttleNext = new AtomicInteger();
        /** While set, object writes wait here; {@link #heldWrites} counts those that arrived. */
        public volatile CountDownLatch holdWrites;
        public final AtomicInteger heldWrites = new AtomicInteger();
        /** This many of the next object copies are answered 503 (past the client's retries if many). */
        public final AtomicInteger failNextCopies = new AtomicInteger();
        /** Run once a copy has been made and before it is answered, e.g. to write the source meanwhile. */
        public volatile Runnable afterCopy;
        /** Run with the key before every object read is served, e.g. to write objects between two reads. */
        public volatile java.util.function.Consumer<String> beforeGet;
        /** The CRC32C header each part upload arrived with (null: none), in arrival order. */
        public final java.util.List<String> partChecksums = new java.util.concurrent.CopyOnWriteArrayList<>();

        void before(boolean write) {
            try {
                CountDownLatch hold = holdWrites;
                if (write && hold != null) {
                    heldWrites.incrementAndGet();
                    hold.await();
                }
                if (!delay.isZero()) Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw S3Exceptions.fromStatusCode(503);
        }
    }

    /** Requests the server answered, by kind, to show which requests a path makes. */
    public static final class Counts {
        /** HEAD Object. */
        public final AtomicInteger lookups = new AtomicInteger();
        /** CopyObject. */
        public final AtomicInteger copies = new AtomicInteger();
        /** Reads of a byte range: s3proxy's filesystem store serves each UploadPartCopy as one. */
        public final AtomicInteger rangedReads = new AtomicInteger();
        public final AtomicInteger puts = new AtomicInteger();
        public final AtomicInteger uploadStarts = new AtomicInteger();
        public final AtomicInteger parts = new AtomicInteger();
        public final AtomicInteger completions = new AtomicInteger();
        public final AtomicInteger gets = new AtomicInteger();
        public final AtomicInteger deletes = new AtomicInteger();

        /** Every count by kind, as of now. */
        public java.util.Map<String, Integer> snapshot() {
            java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
            out.put("PUT", puts.get());
            out.put("multipart start", uploadStarts.get());
            out.put("part", parts.get());
            out.put("multipart completion", completions.get());
            out.put("HEAD", lookups.get());
            out.put("GET", gets.get());
            out.put("copy", copies.get());
            out.put("DELETE", deletes.get());
            return out;
        }
    }

    public final Faults faults = new Faults();
    public final Counts counts = new Counts();
    private final Path dir;
    private final int port;
    private S3Proxy proxy;

    private S3TestServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static void useCredentials() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    public static S3TestServer start(Path dir) throws Exception {
        useCredentials();
        Files.createDirectories(dir.resolve(BUCKET));
        // Below the ephemeral range, like the servers' ports: tests stop and start s3proxy again on its port,
        // which an outgoing connection could have taken meanwhile if it were an ephemeral one.
        S3TestServer server = new S3TestServer(dir, TestServer.freePortRange());
        server.start();
        return server;
    }

    public void start() throws Exception {
        BlobStore store = new FaultyBlobStore(new FilesystemNio2BlobStore(dir.toString()), faults, counts);
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(0).build();
        proxy.start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            Thread.sleep(10);
        }
    }

    public void stop() throws Exception {
        proxy.stop();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** {@code s3://backups/PREFIX} on this server, with the given tuning. */
    public S3Location location(String prefix, S3BackupRepository.Tuning tuning) {
        return new S3Location(BUCKET, prefix, endpoint(), S3Location.DEFAULT_REGION, true, tuning);
    }

    /** Small parts and a short retry budget, so faults show in seconds. */
    public static S3BackupRepository.Tuning quickTuning() {
        return new S3BackupRepository.Tuning(5 << 20, 3, 4, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(10),
                Duration.ofSeconds(20), S3BackupRepository.Tuning.S3_COPY_LIMIT);
    }

    /** A client of this server, to look at or damage what is stored. */
    public S3Client client() {
        return S3BackupRepository.client(location("", quickTuning()));
    }

    @Override
    public void close() throws Exception {
        if (faults.holdWrites != null) faults.holdWrites.countDown();
        proxy.stop();
    }

    private static final class FaultyBlobStore extends ForwardingBlobStore {
        private final Faults faults;
        private final Counts counts;

        FaultyBlobStore(BlobStore delegate, Faults faults, Counts counts) {
            super(delegate);
            this.faults = faults;
            this.counts = counts;
        }

        @Override
        public CopyObjectResponse copyBlob(CopyObjectRequest request) {
            counts.copies.incrementAndGet();
            if (faults.failNextCopies.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw S3Exceptions.fromStatusCode(503);
            CopyObjectResponse copied = super.copyBlob(request);
            Runnable after = faults.afterCopy;
            if (after != null) after.run();
            return copied;
        }

        @Override
        public PutObjectResponse putBlob(PutObjectRequest request, InputStream in) {
            counts.puts.incrementAndGet();
            faults.before(true);
            return super.putBlob(request, in);
        }

        @Override
        public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream in) {
            counts.parts.incrementAndGet();
            faults.before(true);
            faults.partChecksums.add(String.valueOf(request.checksumCRC32C()));
            return super.uploadMultipartPart(upload, request, in);
        }

        @Override
        public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
            counts.gets.incrementAndGet();
            if (request.range() != null) counts.rangedReads.incrementAndGet();
            java.util.function.Consumer<String> hook = faults.beforeGet;
            if (hook != null) hook.accept(request.key());
            faults.before(false);
            return super.getBlob(request);
        }

        @Override
        public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
            counts.uploadStarts.incrementAndGet();
            return super.initiateMultipartUpload(request);
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload, CompleteMultipartUploadRequest request) {
            counts.completions.incrementAndGet();
            return super.completeMultipartUpload(upload, request);
        }

        @Override
        public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
            counts.deletes.incrementAndGet();
            return super.removeBlob(request);
        }

        @Override
        public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
            counts.lookups.incrementAndGet();
            faults.before(false);
            return super.blobMetadata(request);
        }
    }
}
