package io.conifer.cli;

import io.conifer.files.IoErrors;
import io.conifer.server.ConiferServer;
import io.conifer.server.ServerConfig;
import io.conifer.server.StartupFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code conifer} command. */
@Command(name = "conifer", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "conifer 0.1.0",
        description = "A self-hosted vector database that speaks the Pinecone API.",
        subcommands = {Main.Serve.class, IndexCommand.class, BackupCommand.class, RestoreCommand.class,
                RestoreJobsCommand.class, ScheduleCommand.class, RepairCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    @Command(name = "serve", description = "Run the server.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = "${env:CONIFER_DATA_DIR:-./conifer-data}",
                description = "Where indexes live (env CONIFER_DATA_DIR; default ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--port", defaultValue = "${env:CONIFER_PORT:-5080}",
                description = "Control-plane port (env CONIFER_PORT; default ${DEFAULT-VALUE}). Index ports are allocated above it.")
        int port;

        @Option(names = "--api-key", defaultValue = "${env:CONIFER_API_KEY}",
                description = "API keys, comma-separated, each KEY or KEY:PROJECT (env CONIFER_API_KEY). None: any key is accepted, loopback only.")
        String apiKeys;

        @Option(names = "--api-key-file", paramLabel = "FILE", defaultValue = "${env:CONIFER_API_KEY_FILE}",
                description = "Read the API keys from FILE instead, as --api-key takes them, one or more a line (blank and #"
                        + " lines skipped): unlike --api-key, it keeps them out of the process list (env CONIFER_API_KEY_FILE)."
                        + " An option outranks either variable; --api-key and --api-key-file together, or both variables,"
                        + " are refused.")
        Path apiKeyFile;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--bind", defaultValue = "${env:CONIFER_BIND:-127.0.0.1}",
                description = "Address to listen on (env CONIFER_BIND; default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--advertise-host", defaultValue = "${env:CONIFER_ADVERTISE_HOST:-localhost}",
                description = "Host name put in each index's host (env CONIFER_ADVERTISE_HOST; default ${DEFAULT-VALUE}).")
        String advertiseHost;

        @Option(names = "--data-port-start", defaultValue = "${env:CONIFER_DATA_PORT_START:-0}",
                description = "First port for index data planes (env CONIFER_DATA_PORT_START; default: --port + 1).")
        int dataPortStart;

        @Mixin
        BackupRepoOptions repo;

        @Option(names = "--backup-quota", defaultValue = "${env:CONIFER_BACKUP_QUOTA:-1000}",
                description = "Most backups a project may hold (env CONIFER_BACKUP_QUOTA; default ${DEFAULT-VALUE}).")
        int backupQuota;

        @Option(names = "--backup-max-mbps", defaultValue = "${env:CONIFER_BACKUP_MAX_MBPS:-0}",
                description = "Limit backup and restore copying to this many MB/s so they do not starve queries"
                        + " (env CONIFER_BACKUP_MAX_MBPS; default 0, unlimited).")
        double backupMaxMbps;

        @Option(names = "--backup-read-back", defaultValue = "${env:CONIFER_BACKUP_READ_BACK:-false}", arity = "0..1",
                fallbackValue = "true",
                description = "Also read each blob back from the device and check its CRC32C before a local backup may be Ready,"
                        + " at twice the device I/O (env CONIFER_BACKUP_READ_BACK; default ${DEFAULT-VALUE}). Either way every"
                        + " file is checked against its Lucene checksum as it is copied, blobs are fsynced before the backup is"
                        + " Ready, and every restore and `conifer backup verify` check them; S3 repositories are checked on upload.")
        boolean backupReadBack;

        @Option(names = "--max-replay-seconds", defaultValue = "${env:CONIFER_MAX_REPLAY_SECONDS:-5}",
                description = "Checkpoint an index once replaying its log after a crash would take about this long"
                        + " (env CONIFER_MAX_REPLAY_SECONDS; default ${DEFAULT-VALUE}; 0: only every 30 s and every 256 MB of log).")
        double maxReplaySeconds;

        @CommandLine.Mixin
        BackupKeyOptions keys;

        /** The server's configuration from the options (and their environment variables). */
        ServerConfig config() {
            String keyList = ApiKeyFile.choose(spec, apiKeys, apiKeyFile, ApiKeyFile::serverKeys);
            return new ServerConfig(dataDir, port, keyList, bind, advertiseHost, dataPortStart, 30_000,
                    repo.directory(), backupQuota, backupMaxMbps).withMaxReplayMillis(Math.round(maxReplaySeconds * 1000))
                    .withBackupS3(repo.s3()).withBackupKeys(keys.encryptionKeyFile, keys.decryptionKeyFiles())
                    .withBackupReadBack(backupReadBack);
        }

        @Override
        public Integer call() throws Exception {
            ConiferServer server;
            try {
                server = ConiferServer.start(config());
            } catch (StartupFailure | IllegalStateException | IllegalArgumentException e) {
                // One line an operator can act on; the stack trace would only bury it.
                System.err.println("conifer: " + e.getMessage());
                return 2;
            } catch (IOException e) {
                // Any other file the server could not create or read as it started (a backup directory, say).
                System.err.println("conifer: the server could not start: " + IoErrors.describe(e));
                return 2;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "conifer-shutdown"));
            stopped.await();
            return 0;
        }
    }
}
