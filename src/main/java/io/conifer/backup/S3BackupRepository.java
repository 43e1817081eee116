package io.conifer.backup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A repository in an S3-compatible bucket, through the AWS SDK v2 (its signing, its retry strategy:
 * exponential backoff with jitter for throttling and transient errors). Keys under the prefix:
 * {@code manifests/ID.json} and {@code ID.json.copy} (shared by every server using the bucket), and
 * per server {@code servers/SERVER/blobs/ab/<sha256>} and {@code servers/SERVER/quarantine/}.
 *
 * <p><b>Visibility.</b> A blob is uploaded straight to its final key, since its name is its content's
 * hash, read first: a file up to one part is held in memory and made visible by one {@code PutObject};
 * a larger one is a multipart upload whose parts go up in parallel (bounded) and which only {@link
 * #publish} completes, atomically. Until then nothing is visible under the key; an upload a crash left
 * open is aborted by {@link #cleanStaging}. Every part and every single-request blob carries its CRC32C,
 * which the service checks against what it received (a mismatch is a failed request).
 *
 * <p><b>Sharing.</b> A server writes, deletes and garbage-collects only blobs under its own {@code
 * servers/SERVER/}, and deduplicates only against those, so no other server's collection can remove a
 * blob its backups need. Reads fall back to other servers' blobs, so any server restores any backup.
 */
public final class S3BackupRepository implements BackupRepository {
    private static final Logger log = LoggerFactory.getLogger(S3BackupRepository.class);

    /**
     * Part size, parts in flight per upload, the retry policy of each request, how long to wait for a
     * connection, and the largest object copied by one request (S3's {@code CopyObject} stops at 5 GiB):
     * a larger one is copied in parts of that size ({@code UploadPartCopy}, whose parts S3 allows up to 5 GiB).
     */
    public record Tuning(int partSize, int parallelism, int maxAttempts, Duration baseDelay, Duration maxDelay,
            Duration connectTimeout, Duration attemptTimeout, long copyLimit) {
        public static final long S3_COPY_LIMIT = 5L << 30;

        public Tuning {
            // S3 refuses parts under 5 MiB (but the last), so a copy in smaller parts could never complete.
            if (copyLimit < 5 << 20 || copyLimit > S3_COPY_LIMIT) {
                throw new IllegalArgumentException("copy limit " + copyLimit + " is not between 5 MiB and 5 GiB");
            }
        }

        /** About a minute of retrying an unreachable service before a backup fails. */
        public static Tuning defaults() {
            return new Tuning(16 << 20, 4, 8, Duration.ofMillis(500), Duration.ofSeconds(20), Duration.ofSeconds(10),
                    Duration.ofMinutes(2), S3_COPY_LIMIT);
        }

        /**
         * For a command someone waits on ({@code conifer backup verify}): 3 attempts with the AWS CLI's
         * backoff cap (20 s) and a 3 s connect timeout, so an unreachable service is said in seconds rather than
         * after the minute a server's backup rides out. A read that still fails is reported as unread, not
         * as damage, and the command can be run again.
         */
        public Tuning forCommand() {
            return new Tuning(partSize, parallelism, 3, Duration.ofMillis(200), Duration.ofSeconds(20), Duration.ofSeconds(3),
                    attemptTimeout, copyLimit);
        }
    }

    private final S3Client s3;
    private final S3Location location;
    private final String serverId;
    private final Tuning tuning;
    private final ExecutorService partUploads;
    /** Buffers of parts read but not yet uploaded: reading waits rather than holding the whole file. */
    private final Semaphore partsInFlight;
    /** Blobs found under another server's prefix, by hash. */
    private final Map<String, String> foreignKeys = new ConcurrentHashMap<>();

    public S3BackupRepository(S3Location location, String serverId) {
        if (!serverId.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("not a server id: " + serverId);
        this.s3 = client(location);
        this.location = location;
        this.serverId = serverId;
        this.tuning = location.tuning();
        this.partUploads = Executors.newFixedThreadPool(tuning.parallelism(), r -> {
            Thread t = new Thread(r, "conifer-s3-part");
            t.setDaemon(true);
            return t;
        });
        this.partsInFlight = new Semaphore(tuning.parallelism() + 1);
    }

    /** A client for {@code location}: credentials from the SDK's default chain, retries as its tuning says. */
    public static S3Client client(S3Location location) {
        Tuning tuning = location.tuning();
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(location.region()))
                .forcePathStyle(location.pathStyle())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(tuning.parallelism() * 2 + 4)
                        .connectionTimeout(tuning.connectTimeout())
                        .socketTimeout(tuning.attemptTimeout()))
                // Checksums are sent where they are needed (every upload carries its CRC32C, set below);
                // downloads are checked against the manifest (BackupReader), so the SDK's own are not added.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o
                        .apiCallAttemptTimeout(tuning.attemptTimeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(tuning.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(tuning.baseDelay(), tuning.maxDelay()))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(
                                        tuning.baseDelay().multipliedBy(2), tuning.maxDelay()))
                                // A long outage must not make later requests give up without trying.
                                .circuitBreakerEnabled(false)
                                .build()));
        if (location.endpoint() != null) b.endpointOverride(location.endpoint());
        return b.build();
    }

    /** {@code length} is the file's, {@code storedLength} the object's (more when encrypted). */
    private record Staged(String sha256, String naming, long length, long storedLength, int crc32c, byte[] bytes, String uploadId,
            List<CompletedPart> parts)
            implements StagedBlob {}

    @Override
    public StagedBlob stage(Path source, Throttle throttle, BlobEncoding encoding) throws IOException {
        try (BlobSource blob = encoding.open(source)) {
            long size = blob.storedLength();
            if (size <= tuning.partSize()) return stageSmall(blob, (int) size, throttle);
        }
        return stageMultipart(source, encoding, throttle);
    }

    private static Staged stageSmall(BlobSource blob, int size, Throttle throttle) throws IOException {
        byte[] bytes = new byte[size];
        blob.read(ByteBuffer.wrap(bytes));
        throttle.acquire(size);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return new Staged(blob.name(), blob.naming(), blob.length(), size, (int) crc.getValue(), bytes, null, null);
    }

    /**
     * Reads the file once for its name, then uploads it in parts under that name, not yet completed.
     * The bytes uploaded come from a second reading, checked against the first: a plain blob is the
     * file's own bytes, so their CRC32C must be the same twice (the name is not computed again); an
     * encrypted one differs in its salt at each opening, not its name, so it is named again. The first
     * reading goes a leaf at a time into a few buffers, so a plain blob's leaves hash on every core.
     */
    private Staged stageMultipart(Path source, BlobEncoding encoding, Throttle throttle) throws IOException {
        boolean plain = encoding == BlobEncoding.PLAIN;
        String hash;
        String check;
        String naming;
        try (BlobSource first = encoding.open(source)) {
            ContentHash crc = ContentHash.crc32c();
            ByteBuffer[] chunks = new ByteBuffer[TreeHash.HASHERS + 1];
            CompletableFuture<?>[] released = new CompletableFuture<?>[chunks.length];
            for (int k = 0; ; k++) {
                int slot = k % chunks.length;
                if (released[slot] != null) released[slot].join();
                if (chunks[slot] == null) chunks[slot] = ByteBuffer.allocate(TreeHash.LEAF);
                ByteBuffer chunk = chunks[slot].clear();
                if (first.read(chunk) == 0) break;
                released[slot] = first.released();
                if (plain) crc.update(chunk.flip());
            }
            hash = first.name();
            naming = first.naming();
            check = plain ? crc.hex() : hash;
        }
        String key = blobKey(hash);
        String uploadId = call("start of the upload of " + key,
                () -> s3.createMultipartUpload(r -> r.bucket(location.bucket()).key(key)
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32_C)).uploadId());
        List<Future<CompletedPart>> parts = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (BlobSource blob = plain ? BlobSource.plain(source, ContentHash.crc32c()) : encoding.open(source)) {
            long size = blob.storedLength();
            CRC32C whole = new CRC32C();
            int number = 0;
            for (long pos = 0; pos < size && failure.get() == null; pos += tuning.partSize()) {
                int n = (int) Math.min(tuning.partSize(), size - pos);
                partsInFlight.acquireUninterruptibly();
                byte[] part = new byte[n];
                try {
                    if (blob.read(ByteBuffer.wrap(part)) != n) throw new IOException("File " + source.getFileName() + " changed while it was copied");
                } catch (IOException e) {
                    partsInFlight.release();
                    throw e;
                }
                throttle.acquire(n);
                whole.update(part);
                int partNumber = ++number;
                parts.add(partUploads.submit(() -> {
                    try {
                        return uploadPart(key, uploadId, partNumber, part);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        throw e;
                    } finally {
                        partsInFlight.release();
                    }
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) done.add(await(f));
            if (!blob.name().equals(check)) {
                throw new IOException("File " + source.getFileName() + " changed while it was copied");
            }
            return new Staged(hash, naming, blob.length(), size, (int) whole.getValue(), null, uploadId, done);
        } catch (IOException | RuntimeException e) {
            for (Future<CompletedPart> f : parts) f.cancel(true);
            abort(key, uploadId);
            throw e;
        }
    }

    private CompletedPart uploadPart(String key, String uploadId, int number, byte[] part) throws IOException {
        String crc = crc32c(part);
        UploadPartResponse r = call("upload of part " + number + " of " + key, () -> s3.uploadPart(b -> b
                .bucket(location.bucket()).key(key).uploadId(uploadId).partNumber(number)
                .contentLength((long) part.length).checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(crc),
                body(part)));
        if (r.checksumCRC32C() != null && !r.checksumCRC32C().equals(crc)) {
            throw new IOException("S3 stored part " + number + " of " + key + " with CRC32C " + r.checksumCRC32C()
                    + ", but " + crc + " was sent");
        }
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(crc).build();
    }

    private static RequestBody body(byte[] bytes) {
        // A fresh stream per attempt, so a retried request resends the same bytes (and the array is not copied).
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
    }

    private static String crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted", e);
        }
    }

    /** Returns the ETag the publishing request answers with: the object's, as {@link #blobStamp} would read it. */
    @Override
    public String publish(StagedBlob blob) throws IOException {
        Staged s = (Staged) blob;
        String key = blobKey(s.sha256());
        if (s.bytes() != null) {
            String crc = crc32c(s.bytes());
            return call("upload of " + key, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key)
                    .contentLength(s.storedLength()).checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(crc), body(s.bytes())))
                    .eTag();
        }
        try {
            return call("completion of the upload of " + key, () -> s3.completeMultipartUpload(b -> b.bucket(location.bucket())
                    .key(key).uploadId(s.uploadId()).multipartUpload(m -> m.parts(s.parts())))).eTag();
        } catch (IOException e) {
            // A completion whose answer was lost and was retried finds its upload already complete.
            if (!(e.getCause() instanceof NoSuchUploadException) || blobLengthAt(key).orElse(-1L) != s.storedLength()) throw e;
            return blobStamp(s.sha256()).orElseThrow(() -> new NoSuchFileException(describe(s.sha256())));
        }
    }

    @Override
    public void discard(StagedBlob blob) {
        Staged s = (Staged) blob;
        if (s.uploadId() != null) abort(blobKey(s.sha256()), s.uploadId());
    }

    private void abort(String key, String uploadId) {
        try {
            call("abort of the upload of " + key, () -> s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(key)
                    .uploadId(uploadId)));
        } catch (IOException e) {
            log.warn("Could not abort the upload of {} (the next start aborts it): {}", key, e.getMessage());
        }
    }

    private String serverRoot(String server) {
        return location.key("servers/" + server + "/");
    }

    private String blobKey(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a blob name: " + sha256);
        return serverRoot(serverId) + "blobs/" + sha256.substring(0, 2) + "/" + sha256;
    }

    @Override
    public boolean hasBlob(String sha256) throws IOException {
        return blobStamp(sha256).isPresent();
    }

    /** The ETag of this server's blob: it changes with the object's content. */
    @Override
    public Optional<String> blobStamp(String sha256) throws IOException {
        return lookUp(blobKey(sha256)).map(HeadObjectResponse::eTag);
    }

    /**
     * Copies the damaged object aside under its reason, then deletes it only while its ETag is still
     * {@code stamp}: a verified copy published meanwhile (another ETag) is neither copied nor deleted.
     * The reason goes first, so a quarantined object always has one; a copy that fails takes it away
     * again (and {@link #quarantined} ignores a reason whose object is missing, as after a crash).
     */
    @Override
    public void quarantine(String sha256, String stamp, String reason) throws IOException {
        String key = blobKey(sha256);
        Optional<HeadObjectResponse> head = lookUp(key);
        if (stamp == null || head.isEmpty() || !stamp.equals(head.get().eTag())) return;
        String at = Instant.now().toString();
        String aside = serverRoot(serverId) + "quarantine/" + sha256 + "." + System.currentTimeMillis();
        putBytes(aside + ".reason", (at + "\n" + reason + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            long size = head.get().contentLength();
            if (size <= tuning.copyLimit()) {
                call("quarantine of " + key, () -> s3.copyObject(b -> b.sourceBucket(location.bucket()).sourceKey(key)
                        .destinationBucket(location.bucket()).destinationKey(aside).copySourceIfMatch(stamp)));
            } else {
                copyInParts(key, aside, stamp, size);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(aside + ".reason");
            if (e instanceof IOException io && status(io) == 412) return; // replaced meanwhile: nothing to move
            throw e;
        }
        deleteIfUnchanged(key, stamp);
    }

    /**
     * Deletes an object only while its ETag is {@code stamp} ({@code If-Match}, which S3 and s3proxy
     * honour). A service that cannot condition a delete (501) gets a look-up just before it: a copy
     * published between the two is then lost, but a backup checks every blob's stamp before it turns
     * {@code Ready}, so that backup fails rather than naming a missing blob.
     */
    private void deleteIfUnchanged(String key, String stamp) throws IOException {
        try {
            call("deletion of " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key).ifMatch(stamp)));
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            if (status(e) == 412) return; // a fresh copy replaced it: it stays
            if (status(e) != 501) throw e;
            if (lookUp(key).map(HeadObjectResponse::eTag).filter(stamp::equals).isPresent()) {
                call("deletion of " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
            }
        }
    }

    private void deleteQuietly(String key) {
        try {
            call("deletion of " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", url(key), e.getMessage());
        }
    }

    /** The HTTP status of the service's answer behind a failed {@link #call}, or 0 if there was none. */
    private static int status(IOException e) {
        return e.getCause() instanceof S3Exception s ? s.statusCode() : 0;
    }

    /** Copies an object too large for one {@code CopyObject}; nothing is visible at {@code target} unless all of it is. */
    private void copyInParts(String source, String target, String stamp, long size) throws IOException {
        String uploadId = call("start of the copy of " + source + " to " + target,
                () -> s3.createMultipartUpload(r -> r.bucket(location.bucket()).key(target)).uploadId());
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long pos = 0; pos < size; pos += tuning.copyLimit()) {
                int number = parts.size() + 1;
                String range = "bytes=" + pos + "-" + (Math.min(size, pos + tuning.copyLimit()) - 1);
                UploadPartCopyResponse r = call("copy of part " + number + " of " + source, () -> s3.uploadPartCopy(b -> b
                        .sourceBucket(location.bucket()).sourceKey(source).copySourceIfMatch(stamp).copySourceRange(range)
                        .destinationBucket(location.bucket()).destinationKey(target).uploadId(uploadId).partNumber(number)));
                parts.add(CompletedPart.builder().partNumber(number).eTag(r.copyPartResult().eTag()).build());
            }
            call("completion of the copy of " + source + " to " + target, () -> s3.completeMultipartUpload(b -> b
                    .bucket(location.bucket()).key(target).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            abort(target, uploadId);
            throw e;
        }
    }

    @Override
    public List<Quarantined> quarantined() throws IOException {
        List<Quarantined> out = new ArrayList<>();
        List<S3Object> listed = list(serverRoot(serverId) + "quarantine/");
        Set<String> keys = new HashSet<>();
        for (S3Object o : listed) keys.add(o.key());
        for (S3Object o : listed) {
            // A reason without its object is a quarantine that never happened (its copy failed or crashed).
            if (!o.key().endsWith(".reason") || !keys.contains(o.key().substring(0, o.key().length() - ".reason".length()))) {
                continue;
            }
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            String[] lines = new String(getBytes(o.key()).orElse(new byte[0]), StandardCharsets.UTF_8).split("\n", 2);
            out.add(new Quarantined(name.substring(0, 64), url(o.key().substring(0, o.key().length() - ".reason".length())),
                    lines[0], lines.length > 1 ? lines[1].strip() : ""));
        }
        out.sort(Comparator.comparing(Quarantined::at));
        return out;
    }

    @Override
    public InputStream openBlob(String sha256) throws IOException {
        return openStored(sha256).bytes();
    }

    /**
     * One GET, whose ETag is the stamp: no look-up first. Another server's blob has none, since this
     * server never quarantines it.
     */
    @Override
    public StoredBlob openStored(String sha256) throws IOException {
        String own = blobKey(sha256);
        String key = foreignKeys.getOrDefault(sha256, own);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = download(key);
        } catch (NoSuchFileException e) {
            key = readableKey(sha256);
            in = download(key);
        }
        return new StoredBlob(in, key.equals(own) ? in.response().eTag() : null);
    }

    private ResponseInputStream<GetObjectResponse> download(String key) throws IOException {
        return call("download of " + key, () -> s3.getObject(b -> b.bucket(location.bucket()).key(key)));
    }

    @Override
    public long blobLength(String sha256) throws IOException {
        String key = readableKey(sha256);
        return blobLengthAt(key).orElseThrow(() -> new NoSuchFileException(url(key)));
    }

    private Optional<Long> blobLengthAt(String key) throws IOException {
        return lookUp(key).map(HeadObjectResponse::contentLength);
    }

    private Optional<HeadObjectResponse> lookUp(String key) throws IOException {
        try {
            return Optional.of(call("look-up of " + key, () -> s3.headObject(b -> b.bucket(location.bucket()).key(key))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** This server's blob if it has one, else another server's (a backup another server took). */
    private String readableKey(String sha256) throws IOException {
        String own = blobKey(sha256);
        if (blobLengthAt(own).isPresent()) return own;
        String known = foreignKeys.get(sha256);
        if (known != null) return known;
        List<CommonPrefix> servers = new ArrayList<>();
        call("listing of " + url(location.key("servers/")), () -> s3.listObjectsV2Paginator(b -> b.bucket(location.bucket())
                .prefix(location.key("servers/")).delimiter("/")).commonPrefixes().stream().toList()).forEach(servers::add);
        for (CommonPrefix server : servers) {
            String key = server.prefix() + "blobs/" + sha256.substring(0, 2) + "/" + sha256;
            if (!key.equals(own) && blobLengthAt(key).isPresent()) {
                foreignKeys.put(sha256, key);
                return key;
            }
        }
        throw new NoSuchFileException(url(own));
    }

    @Override
    public void deleteBlob(String sha256) throws IOException {
        String key = blobKey(sha256);
        call("deletion of " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
    }

    @Override
    public Set<String> blobs() throws IOException {
        Set<String> out = new TreeSet<>();
        for (S3Object o : list(serverRoot(serverId) + "blobs/")) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (name.matches("[0-9a-f]{64}")) out.add(name);
        }
        return out;
    }

    @Override
    public void putManifest(String backupId, byte[] json) throws IOException {
        byte[] file = ManifestCodec.encode(json);
        // One after the other (each PUT is atomic): a failure or a later damage can only hit one of them.
        putBytes(manifestKey(backupId), file);
        putBytes(copyKey(backupId), file);
    }

    @Override
    public void putManifestCopy(String backupId, byte[] json) throws IOException {
        putBytes(copyKey(backupId), ManifestCodec.encode(json));
    }

    @Override
    public Optional<ManifestRead> readManifest(String backupId) throws IOException {
        // The copy first: see putManifest. (The other order lets a reader pair an old primary with a new
        // copy and "repair" a manifest another server just made Ready back to Initializing.)
        String copyKey = copyKey(backupId);
        ManifestCodec.Copy copy = ManifestCodec.decode(url(copyKey), getBytes(copyKey).orElse(null));
        return ManifestCodec.combine(ManifestCodec.decode(url(manifestKey(backupId)), getBytes(manifestKey(backupId)).orElse(null)),
                copy, url(copyKey));
    }

    @Override
    public List<String> manifestIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (S3Object o : list(location.key("manifests/"))) {
            String name = o.key().substring(o.key().lastIndexOf('/') + 1);
            if (name.endsWith(".json") || name.endsWith(".json.copy")) ids.add(name.substring(0, name.indexOf('.')));
        }
        return new ArrayList<>(ids);
    }

    @Override
    public void deleteManifest(String backupId) throws IOException {
        // The copy first: a failure in between leaves the primary, which the copy can never undo.
        for (String key : List.of(copyKey(backupId), manifestKey(backupId))) {
            call("deletion of " + key, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
        }
    }

    private String manifestKey(String backupId) {
        if (!backupId.matches("[0-9a-f-]{36}")) throw new IllegalArgumentException("not a backup id: " + backupId);
        return location.key("manifests/" + backupId + ".json");
    }

    private String copyKey(String backupId) {
        return manifestKey(backupId) + ".copy";
    }

    /** Aborts this server's multipart uploads that a crash left open (nothing of them is visible). */
    @Override
    public void cleanStaging() throws IOException {
        List<MultipartUpload> open = new ArrayList<>();
        call("listing of open uploads", () -> s3.listMultipartUploadsPaginator(b -> b.bucket(location.bucket())
                .prefix(serverRoot(serverId))).uploads().stream().toList()).forEach(open::add);
        for (MultipartUpload u : open) abort(u.key(), u.uploadId());
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public String describe(String sha256) {
        return url(foreignKeys.getOrDefault(sha256, blobKey(sha256)));
    }

    private String url(String key) {
        return "s3://" + location.bucket() + "/" + key;
    }

    private void putBytes(String key, byte[] bytes) throws IOException {
        String crc = crc32c(bytes);
        call("upload of " + key, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key).contentLength((long) bytes.length)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(crc), body(bytes)));
    }

    private Optional<byte[]> getBytes(String key) throws IOException {
        try {
            return Optional.of(call("download of " + key, () -> s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key)))
                    .asByteArray());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private List<S3Object> list(String prefix) throws IOException {
        List<S3Object> out = new ArrayList<>();
        Consumer<ListObjectsV2Request.Builder> request = b -> b.bucket(location.bucket()).prefix(prefix);
        call("listing of " + url(prefix), () -> s3.listObjectsV2Paginator(request).contents().stream().toList()).forEach(out::add);
        return out;
    }

    private interface S3Call<T> {
        T run();
    }

    /** Runs one request (the SDK retries it as configured) and turns its failure into an I/O error naming it. */
    private static <T> T call(String what, S3Call<T> request) throws IOException {
        try {
            return request.run();
        } catch (S3Exception e) {
            // A missing bucket is a configuration error, never a missing object: read as one, every backup
            // would look deleted.
            if (e instanceof NoSuchBucketException || (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode()))) {
                throw new IOException("S3 " + what + " failed: the bucket does not exist (NoSuchBucket)", e);
            }
            if (e.statusCode() == 404 && !(e instanceof NoSuchUploadException)) {
                NoSuchFileException missing = new NoSuchFileException(what);
                missing.initCause(e);
                throw missing;
            }
            throw new IOException("S3 " + what + " failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return location + " (server " + serverId + ")";
    }

    @Override
    public void close() {
        partUploads.shutdownNow();
        s3.close();
    }
}
