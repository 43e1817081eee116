package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import io.conifer.backup.BackupManifest;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.commons.IndexInterface;
import io.pinecone.exceptions.PineconeForbiddenException;
import io.pinecone.exceptions.PineconeNotFoundException;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.Vector;
import io.pinecone.unsigned_indices_model.QueryResponseWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openapitools.db_control.client.ApiException;
import org.openapitools.db_control.client.model.BackupList;
import org.openapitools.db_control.client.model.BackupModel;
import org.openapitools.db_control.client.model.CreateIndexFromBackupResponse;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.RestoreJobList;
import org.openapitools.db_control.client.model.RestoreJobModel;
import org.openapitools.db_control.client.model.ServerlessSpecResponse;

/**
 * Backups and restores (control plane 2025-10) through the official Pinecone Java SDK
 * ({@code io.pinecone:pinecone-client:6.1.0}) against an in-process Conifer: createBackup,
 * describeBackup, listIndexBackups, listProjectBackups, deleteBackup, createIndexFromBackup,
 * describeRestoreJob and listRestoreJobs, with restored indexes read back over gRPC and compared with
 * their sources record by record and query by query.
 *
 * <p>The SDK's backup methods throw the generated client's {@link ApiException} (not the Pinecone*
 * exceptions of the index methods), so errors are checked by HTTP status and error code. Its
 * generated models reject malformed responses, so every successful call here also checks that the
 * server's JSON deserialises.
 *
 * <p>One server serves the whole class; every test uses its own indexes (the SDK caches gRPC
 * connections by index name for the life of the JVM) and makes no assumption about backups or
 * restore jobs of other tests beyond their existence.
 */
class JavaSdkBackupTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final List<AutoCloseable> OPENED = new CopyOnWriteArrayList<>();
    private static final long WAIT_NANOS = 120_000_000_000L;
    private static final String NS = "docs";

    @TempDir
    static Path dataDir;

    static TestServer server;
    static Pinecone pinecone;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(dataDir);
        pinecone = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
    }

    @AfterAll
    static void stopServer() throws Exception {
        for (AutoCloseable c : OPENED) c.close();
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------ backups

    @Test
    void createBackupDescribesItsSourceThenBecomesReadyWithCounts() throws Exception {
        Dataset data = Dataset.generate(6, 11, 17, 4);
        String source = sourceIndex("src", data, "cosine", Map.of("team", "search", "env", "test"));

        BackupModel created = pinecone.createBackup(source, "nightly", "before the bulk update");
        assertNotNull(created.getBackupId());
        assertFalse(created.getBackupId().isBlank());
        assertEquals(source, created.getSourceIndexName());
        assertNotNull(created.getSourceIndexId());
        assertFalse(created.getSourceIndexId().isBlank());
        assertEquals("nightly", created.getName());
        assertEquals("before the bulk update", created.getDescription());
        assertTrue(Set.of("Initializing", "Ready").contains(created.getStatus()), "status " + created.getStatus());
        assertEquals("aws", created.getCloud());
        assertEquals("us-east-1", created.getRegion());
        assertEquals(6, created.getDimension());
        assertEquals("cosine", created.getMetric());
        assertEquals(Map.of("team", "search", "env", "test"), created.getTags());
        OffsetDateTime createdAt = OffsetDateTime.parse(created.getCreatedAt());

        BackupModel ready = awaitBackupReady(created.getBackupId());
        assertEquals(created.getBackupId(), ready.getBackupId());
        assertEquals(created.getSourceIndexId(), ready.getSourceIndexId());
        assertEquals(source, ready.getSourceIndexName());
        assertEquals("nightly", ready.getName());
        assertEquals("before the bulk update", ready.getDescription());
        assertEquals(data.size(), ready.getRecordCount(), "record_count");
        assertEquals(2, ready.getNamespaceCount(), "namespace_count: the default namespace and " + NS);
        assertNotNull(ready.getSizeBytes(), "size_bytes once Ready");
        assertTrue(ready.getSizeBytes() > 0, "size_bytes " + ready.getSizeBytes());
        assertEquals(6, ready.getDimension());
        assertEquals("cosine", ready.getMetric());
        assertEquals(Map.of("team", "search", "env", "test"), ready.getTags());
        assertEquals(createdAt, OffsetDateTime.parse(ready.getCreatedAt()));

        // A backup without a name or description, of an index with other settings.
        Dataset small = Dataset.generate(4, 3, 0, 0);
        String other = sourceIndex("euc", small, "euclidean", null);
        BackupModel bare = awaitBackupReady(pinecone.createBackup(other, null, null).getBackupId());
        assertEquals(other, bare.getSourceIndexName());
        assertEquals("euclidean", bare.getMetric());
        assertEquals(4, bare.getDimension());
        assertEquals(3, bare.getRecordCount());
        assertEquals(1, bare.getNamespaceCount());
        assertTrue(bare.getTags() == null || bare.getTags().isEmpty(), "no tags: " + bare.getTags());
        assertTrue(bare.getName() == null || bare.getName().isEmpty(), "no name: " + bare.getName());
        assertFalse(bare.getSourceIndexId().equals(ready.getSourceIndexId()), "each index has its own id");
    }

    @Test
    void backupIsAPointInTimeCopy() throws Exception {
        Dataset data = Dataset.generate(5, 6, 0, 0);
        String source = sourceIndex("pit", data, "dotproduct", null);
        String backupId = awaitBackupReady(pinecone.createBackup(source, "before", null).getBackupId()).getBackupId();

        // Later writes to the source are not in the backup.
        Index src = open(source);
        src.upsert("late", List.of(1f, 1f, 1f, 1f, 1f), null, null, null, "");
        src.deleteByIds(List.of("r00"), "");
        assertEquals(data.size(), pinecone.describeBackup(backupId).getRecordCount());

        String restored = name("pit-restored");
        CreateIndexFromBackupResponse started = pinecone.createIndexFromBackup(backupId, restored);
        awaitRestoreCompleted(started.getRestoreJobId());
        Index dst = open(restored);
        assertEquals(data.ids(""), listAll(dst, ""));
        assertTrue(dst.fetch(List.of("late")).getVectorsMap().isEmpty(), "a record written after the backup");
        assertEquals(Set.of("r00"), dst.fetch(List.of("r00")).getVectorsMap().keySet(), "a record deleted after the backup");
    }

    @Test
    void listIndexAndProjectBackupsPageThroughEveryBackupOnce() throws Exception {
        String a = sourceIndex("list-a", Dataset.generate(4, 2, 0, 0), "cosine", null);
        String b = sourceIndex("list-b", Dataset.generate(4, 2, 0, 0), "cosine", null);
        List<String> ofA = new ArrayList<>();
        for (int i = 0; i < 5; i++) ofA.add(pinecone.createBackup(a, "a-" + i, "backup " + i + " of a").getBackupId());
        List<String> ofB = new ArrayList<>();
        for (int i = 0; i < 2; i++) ofB.add(pinecone.createBackup(b, "b-" + i, null).getBackupId());
        for (String id : ofA) awaitBackupReady(id);
        for (String id : ofB) awaitBackupReady(id);

        // One index's backups, two at a time: pages of 2, 2, 1 and no pagination on the last page.
        List<List<BackupModel>> pages = new ArrayList<>();
        String token = null;
        do {
            BackupList page = pinecone.listIndexBackups(a, 2, token);
            assertNotNull(page.getData());
            pages.add(page.getData());
            token = page.getPagination() == null ? null : page.getPagination().getNext();
            assertTrue(pages.size() <= 3, "too many pages");
            if (token != null) assertFalse(token.isEmpty(), "an empty next token instead of no pagination");
        } while (token != null);
        assertEquals(List.of(2, 2, 1), pages.stream().map(List::size).toList());
        List<BackupModel> walked = pages.stream().flatMap(List::stream).toList();
        assertEquals(ofA, walked.stream().map(BackupModel::getBackupId).toList(), "every backup once, oldest first");
        for (BackupModel m : walked) {
            assertEquals(a, m.getSourceIndexName());
            assertEquals("Ready", m.getStatus());
            assertEquals(2, m.getRecordCount());
        }
        assertEquals(List.of("a-0", "a-1", "a-2", "a-3", "a-4"), walked.stream().map(BackupModel::getName).toList());

        // The single-argument overload: limit 10, everything on one page, no pagination.
        BackupList all = pinecone.listIndexBackups(a);
        assertEquals(ofA, all.getData().stream().map(BackupModel::getBackupId).toList());
        assertNull(all.getPagination(), "no pagination on the last page");
        assertEquals(ofB, pinecone.listIndexBackups(b, 100, null).getData().stream().map(BackupModel::getBackupId).toList());

        // Project backups, three at a time: all of ours, each exactly once, among those of other tests.
        List<String> project = new ArrayList<>();
        token = null;
        int pageCount = 0;
        do {
            BackupList page = token == null ? pinecone.listProjectBackups(3, null) : pinecone.listProjectBackups(3, token);
            assertTrue(page.getData().size() <= 3, "page larger than the limit: " + page.getData().size());
            page.getData().forEach(m -> project.add(m.getBackupId()));
            token = page.getPagination() == null ? null : page.getPagination().getNext();
            assertTrue(++pageCount < 1000, "pagination does not end");
        } while (token != null);
        assertEquals(project.size(), new HashSet<>(project).size(), "no backup twice: " + project);
        assertTrue(project.containsAll(ofA) && project.containsAll(ofB), "all of ours in " + project);
        assertTrue(pageCount >= 3, "7 or more backups in pages of 3");
        // Ours keep their relative (creation) order.
        List<String> ours = project.stream().filter(id -> ofA.contains(id) || ofB.contains(id)).toList();
        List<String> expectedOrder = new ArrayList<>(ofA);
        expectedOrder.addAll(ofB);
        assertEquals(expectedOrder, ours);

        // The no-argument overload is the first page of 10.
        BackupList first = pinecone.listProjectBackups();
        assertEquals(project.subList(0, Math.min(10, project.size())),
                first.getData().stream().map(BackupModel::getBackupId).toList());

        // limit must be within 1..100.
        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.listIndexBackups(a, 0, null));
        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.listProjectBackups(101, null));
        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.listProjectBackups(2, "not-a-token"));
        // Backups of an unknown index.
        assertApiError(404, "NOT_FOUND", () -> pinecone.listIndexBackups(name("nothing-here")));
        assertApiError(404, "NOT_FOUND", () -> pinecone.createBackup(name("nothing-here"), "x", null));
    }

    @Test
    void deleteBackupThenItIsGone() throws Exception {
        String source = sourceIndex("del", Dataset.generate(4, 3, 0, 0), "cosine", null);
        String keep = awaitBackupReady(pinecone.createBackup(source, "keep", null).getBackupId()).getBackupId();
        String drop = awaitBackupReady(pinecone.createBackup(source, "drop", null).getBackupId()).getBackupId();

        pinecone.deleteBackup(drop);
        assertApiError(404, "NOT_FOUND", () -> pinecone.describeBackup(drop));
        assertEquals(List.of(keep), pinecone.listIndexBackups(source).getData().stream().map(BackupModel::getBackupId).toList());
        assertTrue(allProjectBackups().stream().noneMatch(drop::equals));
        assertApiError(404, "NOT_FOUND", () -> pinecone.deleteBackup(drop));
        assertApiError(404, "NOT_FOUND", () -> pinecone.createIndexFromBackup(drop, name("from-deleted")));

        // The other backup of the same index is intact and still restores.
        assertEquals("Ready", pinecone.describeBackup(keep).getStatus());
        String restored = name("del-restored");
        awaitRestoreCompleted(pinecone.createIndexFromBackup(keep, restored).getRestoreJobId());
        assertEquals(3, describeStats(open(restored)).getTotalVectorCount());
    }

    @Test
    void unknownBackupsAndRestoreJobsAreNotFound() {
        assertApiError(404, "NOT_FOUND", () -> pinecone.describeBackup("no-such-backup"));
        assertApiError(404, "NOT_FOUND", () -> pinecone.deleteBackup("no-such-backup"));
        assertApiError(404, "NOT_FOUND", () -> pinecone.createIndexFromBackup("no-such-backup", name("never")));
        assertApiError(404, "NOT_FOUND", () -> pinecone.describeRestoreJob("no-such-restore-job"));
        String never = name("never");
        assertThrows(PineconeNotFoundException.class, () -> pinecone.describeIndex(never));
    }

    // ------------------------------------------------------------------ restores

    @Test
    void restoreRecreatesTheIndexRecordByRecordAndQueryByQuery() throws Exception {
        Dataset data = Dataset.generate(8, 24, 9, 7);
        Map<String, String> tags = Map.of("team", "ml", "tier", "gold");
        String source = sourceIndex("restore-src", data, "cosine", tags);
        BackupModel backup = awaitBackupReady(pinecone.createBackup(source, "full", "for the restore test").getBackupId());

        // Through a client that records what the SDK sends. (With a custom OkHttpClient the SDK 6.1.0
        // ignores withHost and calls api.pinecone.io, so the interceptor also redirects to Conifer.)
        List<String> sent = new CopyOnWriteArrayList<>();
        Pinecone recording = new Pinecone.Builder(TestServer.KEY).withTlsEnabled(false)
                .withOkHttpClient(new OkHttpClient.Builder().addInterceptor(chain -> {
                    okhttp3.Request request = chain.request().newBuilder()
                            .url(chain.request().url().newBuilder().scheme("http").host("localhost").port(server.port()).build())
                            .build();
                    if (request.url().encodedPath().endsWith("/create-index") && request.body() != null) {
                        Buffer buffer = new Buffer();
                        request.body().writeTo(buffer);
                        sent.add(buffer.readUtf8());
                    }
                    return chain.proceed(request);
                }).build())
                .build();
        String target = name("restored");
        CreateIndexFromBackupResponse started = recording.createIndexFromBackup(backup.getBackupId(), target);
        // The SDK's request model defaults tags to {} and deletion_protection to "disabled", so even this
        // overload sends both. Conifer merges given tags over the backup's, so {} keeps the source's tags.
        assertEquals(1, sent.size());
        JsonNode body = Http.JSON.readTree(sent.get(0));
        assertEquals(target, body.path("name").asText());
        assertEquals(Http.JSON.createObjectNode(), body.get("tags"), "SDK sends " + sent.get(0));
        assertEquals("disabled", body.path("deletion_protection").asText(), "SDK sends " + sent.get(0));
        assertNotNull(started.getRestoreJobId());
        assertNotNull(started.getIndexId());
        assertFalse(started.getRestoreJobId().isBlank() || started.getIndexId().isBlank());

        // The new index is listed at once; until the restore completes it is Initializing, not ready.
        IndexModel early = pinecone.describeIndex(target);
        assertEquals(target, early.getName());
        assertEquals(8, early.getDimension());
        assertEquals("cosine", early.getMetric());
        if (!Boolean.TRUE.equals(early.getStatus().getReady())) {
            assertEquals("Initializing", early.getStatus().getState());
        } else {
            assertEquals("Ready", early.getStatus().getState());
        }
        assertTrue(pinecone.listIndexes().getIndexes().stream().anyMatch(m -> m.getName().equals(target)));

        RestoreJobModel job = awaitRestoreCompleted(started.getRestoreJobId());
        assertEquals(started.getRestoreJobId(), job.getRestoreJobId());
        assertEquals(backup.getBackupId(), job.getBackupId());
        assertEquals(target, job.getTargetIndexName());
        assertEquals(started.getIndexId(), job.getTargetIndexId());
        assertEquals(100f, job.getPercentComplete(), 0f);
        assertNotNull(job.getCreatedAt());
        assertNotNull(job.getCompletedAt(), "completed_at once Completed");
        assertFalse(job.getCompletedAt().isBefore(job.getCreatedAt()), job.getCreatedAt() + " .. " + job.getCompletedAt());

        // The restored index has the source's configuration and tags, and is Ready.
        IndexModel model = pinecone.describeIndex(target);
        IndexModel sourceModel = pinecone.describeIndex(source);
        assertEquals(8, model.getDimension());
        assertEquals("cosine", model.getMetric());
        assertEquals("dense", model.getVectorType());
        assertEquals(tags, sourceModel.getTags());
        assertEquals(tags, model.getTags(), "tags {} were sent, which keeps the backup's");
        assertEquals("disabled", model.getDeletionProtection());
        assertEquals(Boolean.TRUE, model.getStatus().getReady());
        assertEquals("Ready", model.getStatus().getState());
        ServerlessSpecResponse serverless = model.getSpec().getIndexModelServerless().getServerless();
        assertEquals("aws", serverless.getCloud());
        assertEquals("us-east-1", serverless.getRegion());
        assertTrue(model.getHost().matches("http://localhost:\\d+"), model.getHost());
        assertFalse(model.getHost().equals(sourceModel.getHost()), "its own data-plane port");

        Index src = open(source);
        Index dst = open(target);
        assertSameContents(data, src, dst, Scoring.COSINE);

        // The restored index is an ordinary index: writable, and independent of its source.
        dst.upsert("new-one", data.vector(8, 99), null, null, null, "");
        assertTrue(src.fetch(List.of("new-one")).getVectorsMap().isEmpty());
        assertEquals(data.size() + 1, describeStats(dst).getTotalVectorCount());
        assertEquals(data.size(), describeStats(src).getTotalVectorCount());
    }

    @Test
    void restoreIntoAnExistingNameConflicts() throws Exception {
        String source = sourceIndex("conflict", Dataset.generate(4, 2, 0, 0), "cosine", null);
        String backupId = awaitBackupReady(pinecone.createBackup(source, null, null).getBackupId()).getBackupId();

        // The source's own name, and the name of an index created by an earlier restore.
        assertApiError(409, "ALREADY_EXISTS", () -> pinecone.createIndexFromBackup(backupId, source));
        String restored = name("conflict-restored");
        awaitRestoreCompleted(pinecone.createIndexFromBackup(backupId, restored).getRestoreJobId());
        assertApiError(409, "ALREADY_EXISTS", () -> pinecone.createIndexFromBackup(backupId, restored));
        assertApiError(409, "ALREADY_EXISTS",
                () -> pinecone.createIndexFromBackup(backupId, restored, Map.of("k", "v"), "enabled"));
        // The conflicts changed neither index.
        assertEquals("disabled", pinecone.describeIndex(restored).getDeletionProtection());
        assertEquals(2, describeStats(open(source)).getTotalVectorCount());

        // An invalid name is a bad request.
        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.createIndexFromBackup(backupId, "Not_A_Valid_Name"));
    }

    @Test
    void restoreWithTagsAndDeletionProtectionOverridesApplies() throws Exception {
        Dataset data = Dataset.generate(4, 5, 0, 0);
        String source = sourceIndex("override", data, "cosine", Map.of("origin", "source", "env", "prod"));
        String backupId = awaitBackupReady(pinecone.createBackup(source, null, null).getBackupId()).getBackupId();

        // This overload returns nothing: find the job by its target index.
        String target = name("override-restored");
        pinecone.createIndexFromBackup(backupId, target, Map.of("env", "staging", "owner", "qa"), "enabled");
        RestoreJobModel job = awaitRestoreCompleted(restoreJobFor(target).getRestoreJobId());
        assertEquals(backupId, job.getBackupId());

        IndexModel model = pinecone.describeIndex(target);
        assertEquals(Map.of("origin", "source", "env", "staging", "owner", "qa"), model.getTags(),
                "given tags merge over the source's");
        assertEquals("enabled", model.getDeletionProtection());
        assertEquals(data.size(), describeStats(open(target)).getTotalVectorCount());

        assertThrows(PineconeForbiddenException.class, () -> pinecone.deleteIndex(target));
        assertEquals(target, pinecone.describeIndex(target).getName(), "protected");
        pinecone.configureServerlessIndex(target, "disabled", null, null);
        pinecone.deleteIndex(target);
        assertThrows(PineconeNotFoundException.class, () -> pinecone.describeIndex(target));

        // Tags without deletion protection: protection stays disabled.
        String second = name("override-tags-only");
        pinecone.createIndexFromBackup(backupId, second, Map.of("only", "tags"), null);
        awaitRestoreCompleted(restoreJobFor(second).getRestoreJobId());
        IndexModel secondModel = pinecone.describeIndex(second);
        assertEquals(Map.of("origin", "source", "env", "prod", "only", "tags"), secondModel.getTags());
        assertEquals("disabled", secondModel.getDeletionProtection());
    }

    @Test
    void restoreAfterTheSourceIndexWasDeleted() throws Exception {
        Dataset data = Dataset.generate(6, 10, 5, 3);
        String source = sourceIndex("gone", data, "euclidean", Map.of("k", "v"));
        String backupId = awaitBackupReady(pinecone.createBackup(source, "last", "before deletion").getBackupId()).getBackupId();
        pinecone.deleteIndex(source);
        assertThrows(PineconeNotFoundException.class, () -> pinecone.describeIndex(source));

        // The backup outlives its source.
        BackupModel backup = pinecone.describeBackup(backupId);
        assertEquals("Ready", backup.getStatus());
        assertEquals(source, backup.getSourceIndexName());
        assertEquals(data.size(), backup.getRecordCount());
        assertEquals(Map.of("k", "v"), backup.getTags());
        assertTrue(allProjectBackups().contains(backupId));
        // Listing by the deleted index's name is NOT_FOUND: it names no index any more.
        assertApiError(404, "NOT_FOUND", () -> pinecone.listIndexBackups(source));

        String target = name("gone-restored");
        CreateIndexFromBackupResponse started = pinecone.createIndexFromBackup(backupId, target);
        awaitRestoreCompleted(started.getRestoreJobId());
        IndexModel model = pinecone.describeIndex(target);
        assertEquals(6, model.getDimension());
        assertEquals("euclidean", model.getMetric());
        assertEquals("disabled", model.getDeletionProtection());
        Index dst = open(target);
        assertContents(data, dst, Scoring.EUCLIDEAN);
    }

    @Test
    void listRestoreJobsPagesThroughEveryJobOnce() throws Exception {
        String source = sourceIndex("jobs", Dataset.generate(4, 2, 0, 0), "cosine", null);
        String backupId = awaitBackupReady(pinecone.createBackup(source, null, null).getBackupId()).getBackupId();
        List<String> mine = new ArrayList<>();
        Map<String, String> targets = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            String target = name("jobs-r" + i);
            String job = pinecone.createIndexFromBackup(backupId, target).getRestoreJobId();
            mine.add(job);
            targets.put(job, target);
        }
        for (String job : mine) awaitRestoreCompleted(job);

        List<RestoreJobModel> all = new ArrayList<>();
        String token = null;
        int pageCount = 0;
        do {
            RestoreJobList page = token == null ? pinecone.listRestoreJobs(2) : pinecone.listRestoreJobs(2, token);
            assertNotNull(page.getData());
            assertTrue(page.getData().size() <= 2, "page larger than the limit");
            all.addAll(page.getData());
            token = page.getPagination() == null ? null : page.getPagination().getNext();
            assertTrue(++pageCount < 1000, "pagination does not end");
        } while (token != null);
        List<String> ids = all.stream().map(RestoreJobModel::getRestoreJobId).toList();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no job twice: " + ids);
        assertTrue(ids.containsAll(mine), "all of ours in " + ids);
        assertTrue(pageCount >= 2);
        assertEquals(mine, ids.stream().filter(mine::contains).toList(), "ours in creation order");
        for (RestoreJobModel j : all) {
            if (!mine.contains(j.getRestoreJobId())) continue;
            assertEquals(backupId, j.getBackupId());
            assertEquals(targets.get(j.getRestoreJobId()), j.getTargetIndexName());
            assertEquals("Completed", j.getStatus());
            assertEquals(100f, j.getPercentComplete(), 0f);
            assertNotNull(j.getCompletedAt());
        }

        // The token-only overload pages by 10; the limit-only overload is the first page.
        RestoreJobList firstTwo = pinecone.listRestoreJobs(2);
        assertEquals(ids.subList(0, 2), firstTwo.getData().stream().map(RestoreJobModel::getRestoreJobId).toList());
        RestoreJobList rest = pinecone.listRestoreJobs(firstTwo.getPagination().getNext());
        assertEquals(ids.subList(2, Math.min(12, ids.size())),
                rest.getData().stream().map(RestoreJobModel::getRestoreJobId).toList());
        RestoreJobList everything = pinecone.listRestoreJobs(100, null);
        assertEquals(ids, everything.getData().stream().map(RestoreJobModel::getRestoreJobId).toList());
        assertNull(everything.getPagination(), "no pagination on the last page");

        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.listRestoreJobs(0));
        assertApiError(400, "INVALID_ARGUMENT", () -> pinecone.listRestoreJobs(101, null));
    }

    /**
     * On a server whose backup and restore I/O is throttled to a few KB/s, copies take seconds, which
     * makes their in-between states observable: an Initializing backup cannot be deleted or restored,
     * a restore job runs with the new index listed but not ready, and its backup cannot be deleted
     * until it completes.
     */
    /**
     * Failed backups and restore jobs carry a {@code failure_reason}, a field the 2025-10 models do not
     * name: the SDK's generated models keep it as an additional property instead of rejecting it.
     */
    @Test
    void failedBackupsAndRestoreJobsSayWhy() throws Exception {
        String source = sourceIndex("why", Dataset.generate(4, 40, 0, 0), "cosine", null);
        String backupId = awaitBackupReady(pinecone.createBackup(source, "why", null).getBackupId()).getBackupId();
        BackupManifest m = BackupManifest.fromJson(server.server().backups().repository().getManifest(backupId).orElseThrow());
        BackupManifest.FileEntry victim = m.files().stream().max(Comparator.comparingLong(BackupManifest.FileEntry::length))
                .orElseThrow();
        Path blob = dataDir.resolve("backups/blobs").resolve(victim.sha256().substring(0, 2)).resolve(victim.sha256());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(blob, bytes);
        String target = name("why-restored");
        String jobId = pinecone.createIndexFromBackup(backupId, target).getRestoreJobId();
        long deadline = System.nanoTime() + WAIT_NANOS;
        RestoreJobModel job = pinecone.describeRestoreJob(jobId);
        while (!job.getStatus().equals("Failed") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            job = pinecone.describeRestoreJob(jobId);
        }
        assertEquals("Failed", job.getStatus());
        assertTrue(String.valueOf(job.getAdditionalProperty("failure_reason")).contains("File " + victim.name() + " is corrupt"),
                job.toString());
        assertEquals(job.getAdditionalProperty("failure_reason"), restoreJobFor(target).getAdditionalProperty("failure_reason"));

        // A backup the server was killed in the middle of is Failed, and says so.
        int port = TestServer.freePortRange();
        Path killed = dataDir.resolve("killed");
        String interrupted;
        try (ChildServer child = ChildServer.start(killed, port, port + 1, "--backup-max-mbps", "0.002")) {
            Http http = new Http(child.url(), TestServer.KEY);
            Http data = http.forHost(http.createDense("killed", 4, "cosine"));
            assertEquals(200, data.post("/vectors/upsert", "{\"vectors\":[{\"id\":\"a\",\"values\":[1,2,3,4]}]}").status());
            interrupted = http.post("/indexes/killed/backups", "{}").json().get("backup_id").asText();
            child.kill();
        }
        try (ChildServer again = ChildServer.start(killed, port, port + 1)) {
            Pinecone client = new Pinecone.Builder(TestServer.KEY).withHost(again.url()).withTlsEnabled(false).build();
            BackupModel failed = client.describeBackup(interrupted);
            assertEquals("Failed", failed.getStatus());
            assertFalse(String.valueOf(failed.getAdditionalProperty("failure_reason")).isBlank(), failed.toString());
            assertNotNull(failed.getAdditionalProperty("failure_reason"), failed.toString());
            BackupModel listed = client.listProjectBackups().getData().stream()
                    .filter(b -> b.getBackupId().equals(interrupted)).findFirst().orElseThrow();
            assertEquals(failed.getAdditionalProperty("failure_reason"), listed.getAdditionalProperty("failure_reason"));
        }
    }

    @Test
    void backupsInUseCannotBeDeletedOnAThrottledServer() throws Exception {
        ServerConfig config = ServerConfig.defaults(dataDir.resolve("throttled")).withApiKeys(TestServer.KEY)
                .withPorts(0, TestServer.freePortRange()).withBackups(null, 100, 0.002);
        try (ConiferServer slowServer = ConiferServer.start(config)) {
            Pinecone slow = new Pinecone.Builder(TestServer.KEY).withHost("http://localhost:" + slowServer.port())
                    .withTlsEnabled(false).build();
            Dataset data = Dataset.generate(8, 30, 10, 2);
            String source = name("slow");
            slow.createServerlessIndex(source, "cosine", 8, "aws", "us-east-1", "disabled", null);
            Index index = slow.getIndexConnection(source);
            OPENED.add(index);
            for (String ns : data.namespaces()) {
                List<VectorWithUnsignedIndices> batch = new ArrayList<>();
                data.records(ns).forEach((id, r) -> batch.add(
                        IndexInterface.buildUpsertVectorWithUnsignedIndices(id, r.values(), null, null, r.metadata())));
                index.upsert(batch, ns);
            }

            // While the backup is copied: Initializing, not restorable; another one deleted while
            // Initializing is gone at once (its copy cancelled) without disturbing the first.
            BackupModel created = slow.createBackup(source, "slow", null);
            String backupId = created.getBackupId();
            assertEquals("Initializing", created.getStatus());
            assertEquals("Initializing", slow.describeBackup(backupId).getStatus());
            String scratch = slow.createBackup(source, "scratch", null).getBackupId();
            slow.deleteBackup(scratch);
            assertApiError(404, "NOT_FOUND", () -> slow.describeBackup(scratch));
            assertApiError(400, "INVALID_ARGUMENT", () -> slow.createIndexFromBackup(backupId, name("too-early")));

            BackupModel ready = awaitBackupReady(slow, backupId);
            assertEquals(data.size(), ready.getRecordCount());

            // While the restore runs: the job is Pending or InProgress, below 100%, with no completed_at;
            // the new index is listed but Initializing; the backup cannot be deleted (412).
            String target = name("slow-restored");
            CreateIndexFromBackupResponse started = slow.createIndexFromBackup(backupId, target);
            RestoreJobModel running = slow.describeRestoreJob(started.getRestoreJobId());
            assertTrue(Set.of("Pending", "InProgress").contains(running.getStatus()), running.getStatus());
            assertTrue(running.getPercentComplete() < 100f, "percent_complete " + running.getPercentComplete());
            assertNull(running.getCompletedAt());
            IndexModel initializingIndex = slow.describeIndex(target);
            assertEquals(Boolean.FALSE, initializingIndex.getStatus().getReady());
            assertEquals("Initializing", initializingIndex.getStatus().getState());
            IndexModel listed = slow.listIndexes().getIndexes().stream()
                    .filter(m -> m.getName().equals(target)).findFirst().orElseThrow();
            assertEquals("Initializing", listed.getStatus().getState());
            assertEquals(8, listed.getDimension());
            ApiException restoring = assertApiError(412, "FAILED_PRECONDITION", () -> slow.deleteBackup(backupId));
            assertTrue(restoring.getResponseBody().contains(started.getRestoreJobId()), restoring.getResponseBody());
            assertApiError(409, "ALREADY_EXISTS", () -> slow.createIndexFromBackup(backupId, target));

            RestoreJobModel done = awaitRestoreCompleted(slow, started.getRestoreJobId());
            assertEquals(100f, done.getPercentComplete(), 0f);
            assertEquals(Boolean.TRUE, slow.describeIndex(target).getStatus().getReady());
            Index restored = slow.getIndexConnection(target);
            OPENED.add(restored);
            assertContents(data, restored, Scoring.COSINE);

            // Once no restore reads it, the backup can be deleted.
            slow.deleteBackup(backupId);
            assertApiError(404, "NOT_FOUND", () -> slow.describeBackup(backupId));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String name(String what) {
        return "bk-" + what + "-" + SEQ.incrementAndGet();
    }

    /** A dense serverless index holding {@code data}, written over gRPC. */
    private static String sourceIndex(String what, Dataset data, String metric, Map<String, String> tags) {
        String n = name(what);
        IndexModel m = pinecone.createServerlessIndex(n, metric, data.dimension, "aws", "us-east-1", "disabled", tags);
        assertEquals(Boolean.TRUE, m.getStatus().getReady());
        Index index = open(n);
        for (String ns : data.namespaces()) {
            List<VectorWithUnsignedIndices> batch = new ArrayList<>();
            data.records(ns).forEach((id, r) -> batch.add(
                    IndexInterface.buildUpsertVectorWithUnsignedIndices(id, r.values(), null, null, r.metadata())));
            assertEquals(batch.size(), index.upsert(batch, ns).getUpsertedCount());
        }
        assertEquals(data.size(), describeStats(index).getTotalVectorCount());
        return n;
    }

    private static Index open(String indexName) {
        Index index = pinecone.getIndexConnection(indexName);
        OPENED.add(index);
        return index;
    }

    private static DescribeIndexStatsResponse describeStats(Index index) {
        return index.describeIndexStats();
    }

    private static BackupModel awaitBackupReady(String backupId) throws Exception {
        return awaitBackupReady(pinecone, backupId);
    }

    private static BackupModel awaitBackupReady(Pinecone pinecone, String backupId) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        BackupModel b = null;
        while (System.nanoTime() < deadline) {
            b = pinecone.describeBackup(backupId);
            if (b.getStatus().equals("Ready")) return b;
            assertEquals("Initializing", b.getStatus(), "backup " + backupId + " failed: " + b);
            Thread.sleep(50);
        }
        throw new AssertionError("backup " + backupId + " is not Ready: " + b);
    }

    /**
     * Polls the job until Completed, checking on the way that it only moves forward (Pending, then
     * InProgress, then Completed), that percent_complete never decreases, and that completed_at is
     * absent until it completes.
     */
    private static RestoreJobModel awaitRestoreCompleted(String jobId) throws Exception {
        return awaitRestoreCompleted(pinecone, jobId);
    }

    private static RestoreJobModel awaitRestoreCompleted(Pinecone pinecone, String jobId) throws Exception {
        List<String> order = List.of("Pending", "InProgress", "Completed");
        long deadline = System.nanoTime() + WAIT_NANOS;
        RestoreJobModel j = null;
        int lastStep = 0;
        float lastPercent = 0;
        while (System.nanoTime() < deadline) {
            j = pinecone.describeRestoreJob(jobId);
            assertEquals(jobId, j.getRestoreJobId());
            int step = order.indexOf(j.getStatus());
            if (step < 0) fail("restore job " + jobId + " is " + j.getStatus() + ": " + j);
            assertTrue(step >= lastStep, "status went back to " + j.getStatus());
            assertNotNull(j.getPercentComplete(), "percent_complete");
            assertTrue(j.getPercentComplete() >= lastPercent && j.getPercentComplete() <= 100f,
                    "percent_complete " + lastPercent + " -> " + j.getPercentComplete());
            lastStep = step;
            lastPercent = j.getPercentComplete();
            if (j.getStatus().equals("Completed")) return j;
            assertNull(j.getCompletedAt(), "completed_at while " + j.getStatus());
            Thread.sleep(50);
        }
        throw new AssertionError("restore job " + jobId + " did not complete: " + j);
    }

    /** The restore job whose target is {@code indexName}, from all pages of listRestoreJobs. */
    private static RestoreJobModel restoreJobFor(String indexName) throws ApiException {
        RestoreJobModel found = null;
        String token = null;
        do {
            RestoreJobList page = pinecone.listRestoreJobs(100, token);
            for (RestoreJobModel j : page.getData()) {
                if (j.getTargetIndexName().equals(indexName)) {
                    assertNull(found, "two restore jobs into " + indexName);
                    found = j;
                }
            }
            token = page.getPagination() == null ? null : page.getPagination().getNext();
        } while (token != null);
        assertNotNull(found, "no restore job into " + indexName);
        return found;
    }

    private static List<String> allProjectBackups() throws ApiException {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            BackupList page = pinecone.listProjectBackups(100, token);
            page.getData().forEach(m -> out.add(m.getBackupId()));
            token = page.getPagination() == null ? null : page.getPagination().getNext();
        } while (token != null);
        return out;
    }

    @FunctionalInterface
    private interface ApiCall {
        void run() throws ApiException;
    }

    /** The call fails with HTTP {@code status} and a body naming the error {@code code}. */
    private static ApiException assertApiError(int status, String code, ApiCall call) {
        ApiException e = assertThrows(ApiException.class, call::run);
        assertEquals(status, e.getCode(), "HTTP status; body: " + e.getResponseBody());
        assertNotNull(e.getResponseBody());
        assertTrue(e.getResponseBody().contains("\"" + code + "\""), "error code " + code + " in " + e.getResponseBody());
        return e;
    }

    /** Every id of every namespace, following pagination. */
    private static List<String> listAll(Index index, String namespace) {
        List<String> out = new ArrayList<>();
        String token = null;
        for (int pages = 0; pages < 1000; pages++) {
            ListResponse page = token == null ? index.list(namespace, 7) : index.list(namespace, 7, token);
            for (ListItem item : page.getVectorsList()) out.add(item.getId());
            if (!page.hasPagination() || page.getPagination().getNext().isEmpty()) return out;
            token = page.getPagination().getNext();
        }
        throw new AssertionError("pagination does not end");
    }

    /**
     * The restored index {@code dst} holds exactly what {@code src} holds and what {@code data}
     * describes, and answers the same queries with the same ids and scores.
     */
    private static void assertSameContents(Dataset data, Index src, Index dst, Scoring scoring) {
        assertContents(data, dst, scoring);
        assertEquals(namespaceCounts(describeStats(src)), namespaceCounts(describeStats(dst)));
        for (String ns : data.namespaces()) {
            List<String> ids = new ArrayList<>(data.records(ns).keySet());
            assertEquals(listAll(src, ns), listAll(dst, ns), "ids of namespace '" + ns + "'");
            FetchResponse a = src.fetch(ids, ns);
            FetchResponse b = dst.fetch(ids, ns);
            for (String id : ids) {
                assertEquals(a.getVectorsOrThrow(id), b.getVectorsOrThrow(id), "record " + id + " in '" + ns + "'");
            }
            for (List<Float> q : data.queries()) {
                for (Struct filter : data.filters()) {
                    QueryResponseWithUnsignedIndices qa = src.queryByVector(50, q, ns, filter, true, true);
                    QueryResponseWithUnsignedIndices qb = dst.queryByVector(50, q, ns, filter, true, true);
                    assertEquals(qa.getMatchesList().size(), qb.getMatchesList().size());
                    for (int i = 0; i < qa.getMatchesList().size(); i++) {
                        ScoredVectorWithUnsignedIndices ma = qa.getMatches(i);
                        ScoredVectorWithUnsignedIndices mb = qb.getMatches(i);
                        assertEquals(ma.getId(), mb.getId(), "match " + i + " of " + q + " filter " + filter);
                        // Equal up to the float rounding of the scoring path: the source may have merged its
                        // segments since the backup, and Lucene scores a graph search off-heap and an exact
                        // (filtered) search on arrays, which can differ in the last bit (CI saw 0.725492 vs
                        // 0.7254921). The stored values themselves must be equal, below.
                        assertEquals(ma.getScore(), mb.getScore(), 1e-6f, "score of " + ma.getId());
                        assertEquals(ma.getValuesList(), mb.getValuesList());
                        assertEquals(ma.getMetadata(), mb.getMetadata());
                    }
                }
            }
            // Query by id uses the restored record's stored vector.
            String first = ids.get(0);
            assertEquals(
                    src.queryByVectorId(10, first, ns, false, false).getMatchesList().stream()
                            .map(m -> m.getId() + "=" + m.getScore()).toList(),
                    dst.queryByVectorId(10, first, ns, false, false).getMatchesList().stream()
                            .map(m -> m.getId() + "=" + m.getScore()).toList());
        }
    }

    /** {@code index} holds exactly {@code data}; its query results are the brute-force ranking. */
    private static void assertContents(Dataset data, Index index, Scoring scoring) {
        assertEquals(data.size(), describeStats(index).getTotalVectorCount());
        Map<String, Integer> expectedCounts = new TreeMap<>();
        for (String ns : data.namespaces()) expectedCounts.put(ns, data.records(ns).size());
        assertEquals(expectedCounts, new TreeMap<>(namespaceCounts(describeStats(index))));
        for (String ns : data.namespaces()) {
            Map<String, Record> records = data.records(ns);
            assertEquals(new ArrayList<>(new TreeMap<>(records).keySet()), listAll(index, ns));
            FetchResponse fetched = index.fetch(new ArrayList<>(records.keySet()), ns);
            assertEquals(records.keySet(), fetched.getVectorsMap().keySet());
            records.forEach((id, r) -> {
                Vector v = fetched.getVectorsOrThrow(id);
                assertEquals(r.values(), v.getValuesList(), "values of " + id);
                assertEquals(r.metadata(), v.getMetadata(), "metadata of " + id);
            });
            for (List<Float> q : data.queries()) {
                List<Map.Entry<String, Double>> expected = new ArrayList<>();
                records.forEach((id, r) -> expected.add(Map.entry(id, scoring.score().apply(r.values(), q))));
                Comparator<Map.Entry<String, Double>> byScore = Map.Entry.comparingByValue();
                expected.sort(scoring.ascending() ? byScore : byScore.reversed());
                List<ScoredVectorWithUnsignedIndices> matches = index.queryByVector(records.size(), q, ns).getMatchesList();
                assertEquals(expected.stream().map(Map.Entry::getKey).toList(),
                        matches.stream().map(ScoredVectorWithUnsignedIndices::getId).toList(), "ranking for " + q);
                for (int i = 0; i < matches.size(); i++) {
                    double tolerance = 1e-5 * Math.max(1, Math.abs(expected.get(i).getValue()));
                    assertEquals(expected.get(i).getValue(), matches.get(i).getScore(), tolerance, "score of " + matches.get(i).getId());
                }
            }
        }
    }

    private static Map<String, Integer> namespaceCounts(DescribeIndexStatsResponse stats) {
        Map<String, Integer> out = new TreeMap<>();
        stats.getNamespacesMap().forEach((k, v) -> out.put(k, v.getVectorCount()));
        return out;
    }

    record Record(List<Float> values, Struct metadata) {}

    /** How an index of a metric scores a record against a query, and which scores rank first. */
    record Scoring(BiFunction<List<Float>, List<Float>, Double> score, boolean ascending) {
        static final Scoring COSINE = new Scoring(JavaSdkTest::cosine, false);
        /** Pinecone's euclidean score is the squared distance, smallest first. */
        static final Scoring EUCLIDEAN = new Scoring((a, b) -> {
            double s = 0;
            for (int i = 0; i < a.size(); i++) s += Math.pow((double) a.get(i) - b.get(i), 2);
            return s;
        }, true);
    }

    /**
     * Deterministic test records: {@code defaultCount} in the default namespace and {@code nsCount} in
     * {@link #NS}, with varied metadata, plus query vectors and filters to compare indexes with.
     */
    static final class Dataset {
        final int dimension;
        private final Map<String, Map<String, Record>> byNamespace = new LinkedHashMap<>();
        private final List<List<Float>> queries = new ArrayList<>();

        private Dataset(int dimension) {
            this.dimension = dimension;
        }

        static Dataset generate(int dimension, int defaultCount, int nsCount, int queryCount) {
            Dataset d = new Dataset(dimension);
            Map<String, Record> dflt = new LinkedHashMap<>();
            for (int i = 0; i < defaultCount; i++) {
                String id = String.format("r%02d", i);
                Struct metadata = i % 5 == 4 ? Struct.getDefaultInstance() // some records have no metadata
                        : JavaSdkTest.struct("group", "g" + (i % 3), "n", i, "even", i % 2 == 0,
                                "labels", i % 2 == 0 ? List.of("a", "b") : List.of("c"), "score", i * 0.25);
                dflt.put(id, new Record(d.vector(dimension, i), metadata));
            }
            d.byNamespace.put("", dflt);
            if (nsCount > 0) {
                Map<String, Record> docs = new LinkedHashMap<>();
                for (int i = 0; i < nsCount; i++) {
                    docs.put("doc#" + i, new Record(d.vector(dimension, 1000 + i),
                            JavaSdkTest.struct("group", "g" + (i % 2), "title", "Dokument " + i + " ✓")));
                }
                d.byNamespace.put(NS, docs);
            }
            for (int i = 0; i < Math.max(1, queryCount); i++) d.queries.add(d.vector(dimension, 5000 + i));
            return d;
        }

        /** A pseudo-random vector determined by {@code seed}, with no zero vector. */
        List<Float> vector(int dim, int seed) {
            Random random = new Random(seed * 7919L + dim);
            List<Float> v = new ArrayList<>();
            for (int i = 0; i < dim; i++) v.add(Math.round((random.nextFloat() * 2 - 1) * 1000) / 1000f);
            v.set(0, v.get(0) + 2f); // well away from zero
            return v;
        }

        List<String> namespaces() {
            return new ArrayList<>(byNamespace.keySet());
        }

        Map<String, Record> records(String ns) {
            return byNamespace.get(ns);
        }

        List<String> ids(String ns) {
            return new ArrayList<>(new TreeMap<>(byNamespace.get(ns)).keySet());
        }

        int size() {
            return byNamespace.values().stream().mapToInt(Map::size).sum();
        }

        List<List<Float>> queries() {
            return queries;
        }

        List<Struct> filters() {
            return Arrays.asList(null, // no filter
                    JavaSdkTest.struct("group", JavaSdkTest.struct("$eq", "g1")),
                    JavaSdkTest.struct("$or", List.of(JavaSdkTest.struct("even", true),
                            JavaSdkTest.struct("title", JavaSdkTest.struct("$exists", true)))));
        }
    }
}
