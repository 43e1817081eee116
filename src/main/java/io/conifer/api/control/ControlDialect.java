package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.conifer.api.ApiVersion;
import io.conifer.backup.BackupManifest;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.index.ReadCapacity;
import io.conifer.restore.RestoreJob;
import java.util.Map;

/**
 * How one API version reads control-plane requests and writes its responses. Handlers and services
 * work on the one domain model; everything that differs between versions (shapes, status codes,
 * defaults, error vocabulary) is answered here, once per version.
 */
interface ControlDialect {
    static ControlDialect of(ApiVersion version) {
        return switch (version) {
            case V2025_10, V2026_04 -> ClassicDialect.INSTANCE;
            case V2026_07 -> Dialect2026_07.INSTANCE;
        };
    }

    /** A create_index body, validated completely. */
    IndexManager.NewIndex createIndex(ObjectNode body);

    /** A configure_index body, validated completely. */
    IndexManager.Changes configureIndex(ObjectNode body);

    /** A create_backup body. */
    BackupRequest backupRequest(ObjectNode body);

    record BackupRequest(String name, String description) {}

    /** A create_index_from_backup body. */
    RestoreRequest restoreRequest(ObjectNode body);

    record RestoreRequest(String name, Map<String, String> tags, Boolean deletionProtection, ReadCapacity readCapacity) {}

    ObjectNode index(IndexDefinition d, String host);

    /** A backup; {@code sourceDeletedAt} is when its source index was deleted, null while it lives. */
    ObjectNode backup(BackupManifest m, String sourceDeletedAt);

    ObjectNode restoreJob(RestoreJob j);

    HttpStatus indexCreated();

    HttpStatus indexConfigured();

    HttpStatus backupCreated();

    /**
     * Whether deleting a backup that restores are reading is accepted (its files go when they end)
     * rather than refused with 412.
     */
    boolean deletesBackupsRestoresRead();

    /** The page size of a list request that gives no {@code limit}. */
    int defaultPageSize();

    /** The code a failure is answered with in this version. */
    ErrorCode code(ConiferException e);

    /** The name this version's {@code error.code} gives a code. */
    String codeName(ErrorCode code);

    /** The answer to a request without a valid API key. */
    HttpResponse unauthorized(String message);
}
