package io.conifer.cli;

import io.conifer.index.OfflineIndexes;
import io.conifer.store.WalRepair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code conifer repair}: with the server stopped, reports damage in an index's write-ahead log and,
 * only when told exactly where, cuts the log there. The server never drops a damaged log's records
 * by itself (it keeps that index closed), so this is the operator's explicit choice.
 */
@Command(name = "repair", description = {
        "Report damage in an index's write-ahead log; with --truncate-at, cut the log there (server stopped).",
        "Without --truncate-at nothing is changed."})
final class RepairCommand implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = "${env:CONIFER_DATA_DIR:-./conifer-data}",
            description = "The server's data directory (env CONIFER_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--index", required = true, description = "The index's name.")
    String index;

    @Option(names = "--project", description = "The index's project, when several projects use the name.")
    String project;

    @Option(names = "--truncate-at", paramLabel = "FILE:OFFSET", converter = CutPointConverter.class,
            description = "Cut the log at its first damage, exactly as the report names it; the cut bytes and any later"
                    + " log files are kept aside as *.cut files.")
    CutPoint truncateAt;

    /** Where to cut: a log file's name and a byte offset in it, written FILE:OFFSET. */
    record CutPoint(String file, long offset) {
        static CutPoint parse(String text) {
            int colon = text.lastIndexOf(':');
            try {
                if (colon > 0) return new CutPoint(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("takes FILE:OFFSET as the report prints it, e.g."
                    + " wal-00000000000000000001.log:1234; got '" + text + "'");
        }
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Path indexDir = OfflineIndexes.directory(dataDir, index, project);
            return truncateAt == null ? report(indexDir, spec.commandLine().getOut()) : truncate(indexDir, spec.commandLine().getOut());
        } catch (IOException e) {
            spec.commandLine().getErr().println("conifer: " + e.getMessage());
            return 2;
        }
    }

    private int report(Path indexDir, PrintWriter out) throws IOException {
        WalRepair.Report r = WalRepair.inspect(indexDir);
        out.printf("Index '%s': log %s holds %d valid records (up to sequence %d); its last checkpoint covers"
                + " sequence %d.%n", index, r.walDir(), r.records(), r.lastSeq(), r.checkpointSeq());
        WalRepair.Damage d = r.damage();
        if (d == null) {
            out.println("OK: no damage.");
            return 0;
        }
        out.println(d.description() + ".");
        if (d.tornTail()) {
            out.println("OK: this is a torn tail (a crash mid-append; never acknowledged). The server cuts it on start.");
            return 0;
        }
        out.printf("DAMAGED: the server will not open this index. Cutting at the damage keeps the %d records"
                + " before it and sets aside %d bytes holding %d valid records (writes that may have been"
                + " acknowledged; restoring a backup may be the better choice). To cut, run:%n", r.records(),
                d.bytesAfter(), d.recordsAfter());
        out.printf("  conifer repair --data-dir %s --index %s%s --truncate-at %s:%d%n", dataDir, index,
                project == null ? "" : " --project " + project, d.file(), d.offset());
        return 1;
    }

    private int truncate(Path indexDir, PrintWriter out) throws IOException {
        List<Path> setAside = WalRepair.truncateAt(indexDir, truncateAt.file(), truncateAt.offset());
        out.println("Cut the log of index '" + index + "' at " + truncateAt.file() + ":" + truncateAt.offset() + ". Set aside:");
        for (Path p : setAside) out.println("  " + p);
        out.println("The index opens with every record before the cut when the server starts.");
        return 0;
    }

    static final class CutPointConverter implements ITypeConverter<CutPoint> {
        @Override
        public CutPoint convert(String value) {
            return CutPoint.parse(value);
        }
    }
}
