package io.conifer.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the CPU of a phase went, by thread group: a cheap profile that needs no agent. Process CPU
 * and per-thread CPU are sampled at the start and end of a phase; threads are grouped by name with
 * trailing numbers removed (so the Armeria event loops, its blocking-task pool, Lucene's merge
 * threads and the benchmark's client threads each form one group). CPU of threads that ended during
 * the phase is only in the process total unless the thread reported it ({@link #threadEnding}); the
 * JVM's JIT, GC and VM threads (not Java threads) are read from /proc; what remains unaccounted is
 * reported as threads that ended (typically Lucene merge threads).
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Final CPU of benchmark threads that ended, by thread id: {name, nanos}. */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Object[]> ENDED = new java.util.concurrent.ConcurrentHashMap<>();

    private static final String JIT = "JVM: JIT compiler threads";

    private final long wallStart;
    private final long processStart;
    private final long gcStart;
    private final Map<Long, Long> threadStart;
    private final Set<Long> endedBefore;
    private final Map<String, Long> nativeStart;

    private CpuMeter() {
        wallStart = System.nanoTime();
        processStart = OS.getProcessCpuTime();
        gcStart = gcMillis();
        threadStart = threadCpu();
        endedBefore = new HashSet<>(ENDED.keySet());
        nativeStart = nativeTicks();
    }

    /**
     * CPU ticks of the JVM's own (non-Java) threads by kind, from /proc/self/task (Linux; empty
     * elsewhere): these are invisible to ThreadMXBean but are where JIT and GC time goes.
     */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> out = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return out;
        for (java.io.File t : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                String comm = stat.substring(open + 1, close);
                String kind = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? JIT
                        : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "JVM: GC threads"
                        : comm.startsWith("VM ") ? "JVM: VM threads" : null;
                if (kind == null) continue;
                String[] f = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                out.merge(kind, ticks, Long::sum);
            } catch (IOException | RuntimeException e) {
                // the thread ended while we looked
            }
        }
        return out;
    }

    /** CPU seconds the JIT compiler threads have used so far (0 where /proc is not there). */
    static double jitSeconds() {
        return nativeTicks().getOrDefault(JIT, 0L) / 100.0; // USER_HZ
    }

    /** CPU time of the whole process so far (every thread, the JVM's own included). */
    static long processNanos() {
        return OS.getProcessCpuTime();
    }

    static CpuMeter start() {
        return new CpuMeter();
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
        return total;
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) out.put(id, t);
        }
        return out;
    }

    /** Called by a benchmark thread just before it ends, so its CPU is still attributed to its group. */
    static void threadEnding() {
        Thread t = Thread.currentThread();
        ENDED.put(t.threadId(), new Object[] {t.getName(), THREADS.getCurrentThreadCpuTime()});
    }

    static String group(String name) {
        String g = name.replaceAll("[-#_ .]*\\d+([-#_ .]*\\d+)*$", "");
        return g.isEmpty() ? name : g;
    }

    /** A summary: wall time, cores busy, GC time and the CPU share of each thread group. */
    String stop() {
        return stop(0);
    }

    /** Also the CPU of each group per operation (a query, say) when {@code operations} > 0. */
    String stop(long operations) {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double process = (OS.getProcessCpuTime() - processStart) / 1e9;
        long gc = gcMillis() - gcStart;
        Map<String, Double> groups = new TreeMap<>();
        double accounted = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long now = THREADS.getThreadCpuTime(id);
            if (now < 0) continue;
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (info == null) continue;
            double d = (now - threadStart.getOrDefault(id, 0L)) / 1e9;
            if (d <= 0) continue;
            groups.merge(group(info.getThreadName()), d, Double::sum);
            accounted += d;
        }
        for (Map.Entry<Long, Object[]> e : ENDED.entrySet()) {
            if (endedBefore.contains(e.getKey()) || THREADS.getThreadCpuTime(e.getKey()) >= 0) continue; // counted above
            double d = ((Long) e.getValue()[1] - threadStart.getOrDefault(e.getKey(), 0L)) / 1e9;
            if (d <= 0) continue;
            groups.merge(group((String) e.getValue()[0]), d, Double::sum);
            accounted += d;
        }
        for (Map.Entry<String, Long> e : nativeTicks().entrySet()) {
            double d = (e.getValue() - nativeStart.getOrDefault(e.getKey(), 0L)) / 100.0; // USER_HZ
            if (d <= 0) continue;
            groups.merge(e.getKey(), d, Double::sum);
            accounted += d;
        }
        if (process - accounted > 0.05) groups.put("(threads that ended, e.g. Lucene merges)", process - accounted);
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("wall %.1f s, process CPU %.1f s = %.2f cores busy, GC pauses %.2f s%s%n",
                wall, process, process / wall, gc / 1000.0,
                operations > 0 ? String.format(", %.0f us CPU per operation", 1e6 * process / operations) : ""));
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
            if (e.getValue() / process < 0.005) continue;
            sb.append(String.format("      %5.1f%%  %6.1f s  %s%s%n", 100 * e.getValue() / process, e.getValue(),
                    operations > 0 ? String.format("%6.0f us/op  ", 1e6 * e.getValue() / operations) : "", e.getKey()));
        }
        return sb.toString();
    }
}
