package io.conifer.store;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Read priority: while any read is in flight (in any index: the cores are the process's), the CPU that
 * writes consume is held to a budget, so queries keep the rest. Writes cost CPU in three places: applying
 * them to Lucene (HNSW inserts, on the request's thread), flushing refreshed segments, and merging them;
 * on 2 cores unthrottled writers and their merges left queries well under one core.
 *
 * <p>The budget is a bucket of CPU time that fills at {@link #SHARE} of the cores, but never faster than
 * writes would then hold that share of the CPU the process actually got (on a machine shared with other
 * processes that is less than its cores), up to {@link #BURST_NANOS} of wall time's worth. A write is
 * admitted while the bucket holds CPU time, and every write's apply, merge and background flush is
 * charged to it, measured as thread CPU time. A merge cannot be paused, so its CPU is charged as it runs
 * and later writes wait it off. Writes are admitted in arrival order; one the bucket cannot admit still
 * gets {@link #MIN_SHARE} of the cores (a second bucket, only for applies), so no merge starves writes. Admission comes before the write is logged: a write that
 * would wait longer than {@link #MAX_WAIT_NANOS} is refused with nothing written. Without reads writes
 * are neither admitted nor charged (their work then is not counted against later reads).
 *
 * <p>Also, while reads are in flight, at most half the cores (at least one) apply writes at once:
 * fewer concurrent appliers means fewer indexing buffers, so each refresh flushes fewer small segments.
 * Unthrottled clients see the budget as slower acknowledgements: backpressure, as a database with
 * separate bounded pools for reads and writes gives them.
 */
final class WriteGovernor {
    /** The share of the cores writes may use while reads are in flight. */
    static final double SHARE = 0.25;
    /** The share of the cores applies get however much merges took. */
    static final double MIN_SHARE = 0.05;
    /** Budget that idle time may save up, in wall time at the budget's rate. */
    static final long BURST_NANOS = 100_000_000L;
    /** How long a write may wait for admission before it is refused (well inside clients' usual 10 s+ deadlines). */
    static final long MAX_WAIT_NANOS = 5_000_000_000L;
    /** Waits are cut into slices this long so that a write notices the reads ending. */
    private static final long SLICE_NANOS = 10_000_000L;
    /** No wait is shorter: a write this close to admission is not worth a wake-up per microsecond. */
    private static final long MIN_WAIT_NANOS = 100_000L;

    static final WriteGovernor SHARED = new WriteGovernor(Runtime.getRuntime().availableProcessors(), Clocks.SYSTEM);

    /** Time as the governor sees it: wall time, other threads' CPU time, sleeping. Tests pass their own. */
    interface Clocks {
        long nanoTime();

        /** CPU time of the thread with this id so far (-1 if it ended or cannot be measured). */
        long threadCpuNanos(long threadId);

        /** CPU time of the whole process so far (-1 if it cannot be measured). */
        long processCpuNanos();

        void sleepNanos(long nanos) throws InterruptedException;

        Clocks SYSTEM = new Clocks() {
            private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            private final boolean measurable = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
            private final com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public long threadCpuNanos(long threadId) {
                return measurable ? threads.getThreadCpuTime(threadId) : -1;
            }

            @Override
            public long processCpuNanos() {
                return os.getProcessCpuTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        };
    }

    private final Clocks clocks;
    /** Core-nanoseconds per wall nanosecond: the budget's rate, and the minimum share's. */
    private final double rate, minRate;
    private final AtomicInteger reading = new AtomicInteger();
    private final Semaphore appliers;
    /** Fair: waiting writes are admitted in arrival order, so none waits behind later ones. */
    private final ReentrantLock admission = new ReentrantLock(true);
    /** Guards the buckets and the background threads' samples. */
    private final Object state = new Object();
    private double balance, reserve;
    private long accrued, processCpu;
    /** Everything charged to writes so far: what the process CPU since the last accrual is net of. */
    private long chargedTotal, chargedAtAccrual;
    /** CPU charged while reads were in flight, by kind: the governor's own accounting. */
    private long chargedApplies, chargedBackground;
    /**
     * Threads doing writes' background work: {CPU time when last sampled, wall time then, nesting depth,
     * {@link #readBusyNanos} then}.
     */
    private final Map<Long, long[]> background = new HashMap<>();
    /**
     * When reads were in flight, as a running total of wall time: a background thread's CPU between two
     * samples is charged by the share of that interval reads were in flight. Samples come when writes
     * ask for admission, which can be seconds apart (writers waiting for the applier or for Lucene),
     * while merges keep running; a rule that charged only short intervals let most of a merge's CPU
     * through uncharged. Guarded by itself; changed only when reads start or stop being in flight.
     */
    private final Object busy = new Object();
    private boolean readsWereInFlight;
    private long busySince, busyBefore;

    WriteGovernor(int cores, Clocks clocks) {
        this.clocks = clocks;
        this.rate = SHARE * cores;
        this.minRate = MIN_SHARE * cores;
        this.appliers = new Semaphore(Math.max(1, cores / 2));
        this.accrued = clocks.nanoTime();
        this.processCpu = clocks.processCpuNanos();
        this.balance = rate * BURST_NANOS;
        this.reserve = minRate * BURST_NANOS;
    }

    /** A read in flight until closed. */
    KeyLocks.Held read() {
        if (reading.getAndIncrement() == 0) readsChanged();
        return () -> {
            if (reading.decrementAndGet() == 0) readsChanged();
        };
    }

    /**
     * Brings the busy record up to date with whether reads are in flight now. Looking at the count under
     * the lock, rather than trusting the caller's transition, keeps the record right when a read starts
     * and another ends at once.
     */
    private void readsChanged() {
        synchronized (busy) {
            boolean inFlight = readsInFlight();
            if (inFlight == readsWereInFlight) return;
            long now = clocks.nanoTime();
            if (inFlight) busySince = now;
            else busyBefore += Math.max(0, now - busySince);
            readsWereInFlight = inFlight;
        }
    }

    /** Wall time reads have been in flight, up to {@code now}. */
    private long readBusyNanos(long now) {
        synchronized (busy) {
            return busyBefore + (readsWereInFlight ? Math.max(0, now - busySince) : 0);
        }
    }

    boolean readsInFlight() {
        return reading.get() > 0;
    }

    /**
     * Called before a write is logged: while reads are in flight, waits until the budget admits it.
     * Returns whether it is governed (then its apply goes through {@link #applying} and is charged).
     * Throws, with nothing written, if the wait would exceed {@link #MAX_WAIT_NANOS}.
     */
    boolean admit() {
        return admit(MAX_WAIT_NANOS);
    }

    /**
     * Like {@link #admit}, for a later part of a request whose earlier parts are written (an update or
     * delete by filter, a part per thousand records): it waits as long as the budget needs and is never
     * refused, since a refusal would leave the request half done.
     */
    boolean admitLaterPart() {
        return admit(Long.MAX_VALUE);
    }

    private boolean admit(long maxWaitNanos) {
        if (!readsInFlight()) return false;
        long started = clocks.nanoTime();
        try {
            if (!admission.tryLock(maxWaitNanos, TimeUnit.NANOSECONDS)) throw throttled();
            try {
                while (true) {
                    long wait;
                    synchronized (state) {
                        accrue();
                        if (!readsInFlight()) return false;
                        if (balance > 0 || reserve > 0) return true;
                        wait = (long) Math.min(-balance / rate, -reserve / minRate) + 1;
                    }
                    long left = maxWaitNanos - (clocks.nanoTime() - started);
                    if (left <= 0) throw throttled();
                    clocks.sleepNanos(Math.min(Math.max(MIN_WAIT_NANOS, Math.min(wait, SLICE_NANOS)), left));
                }
            } finally {
                admission.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw throttled();
        }
    }

    private static ConiferException throttled() {
        return new ConiferException(ErrorCode.RESOURCE_EXHAUSTED, "Writes are throttled while queries are served (they get "
                + Math.round(SHARE * 100) + "% of the server's CPU then) and this write waited "
                + TimeUnit.NANOSECONDS.toSeconds(MAX_WAIT_NANOS) + " s for its turn; nothing was written. Retry with back-off.");
    }

    /** Held while an admitted write applies: governed writes apply on at most half the cores at once. */
    KeyLocks.Held applying(boolean governed) {
        if (!governed) return () -> {};
        appliers.acquireUninterruptibly();
        return appliers::release;
    }

    /**
     * Charges a governed write's apply: to the budget, or to the minimum share when the budget had
     * nothing left (so merges never take that share from applies).
     */
    void charge(boolean governed, long cpuNanos) {
        if (!governed) return;
        synchronized (state) {
            // Counted first: the process's CPU the accrual looks at already holds this apply's.
            chargedTotal += cpuNanos;
            accrue();
            if (balance > 0 || reserve <= 0) balance -= cpuNanos;
            else reserve -= cpuNanos;
            chargedApplies += cpuNanos;
        }
    }

    /**
     * Held while this thread does writes' background work (a merge, a flush): its CPU time is charged
     * to the budget as it runs, whenever reads are in flight. May nest.
     */
    KeyLocks.Held background() {
        long id = Thread.currentThread().threadId();
        synchronized (state) {
            long[] sample = background.get(id);
            if (sample == null) {
                long now = clocks.nanoTime();
                background.put(id, new long[] {clocks.threadCpuNanos(id), now, 1, readBusyNanos(now)});
            } else {
                sample[2]++;
            }
        }
        return () -> {
            synchronized (state) {
                long[] sample = background.get(id);
                sampleBackground(id, sample, clocks.nanoTime());
                if (--sample[2] == 0) background.remove(id);
            }
        };
    }

    /**
     * Samples the background threads and charges them, then adds the budget earned since the last call:
     * {@link #SHARE} of the cores over the wall time passed, at most what gives writes that share of the
     * process's CPU (the others' CPU x SHARE / (1 - SHARE)).
     */
    private void accrue() {
        long now = clocks.nanoTime();
        for (Map.Entry<Long, long[]> e : background.entrySet()) sampleBackground(e.getKey(), e.getValue(), now);
        double wall = Math.max(0, now - accrued);
        double earned = wall * rate;
        long cpu = clocks.processCpuNanos();
        if (cpu >= 0) {
            double others = Math.max(0, (cpu - processCpu) - (chargedTotal - chargedAtAccrual));
            earned = Math.min(earned, others * SHARE / (1 - SHARE));
        }
        accrued = now;
        processCpu = cpu;
        chargedAtAccrual = chargedTotal;
        balance = Math.min(balance + earned, rate * BURST_NANOS);
        reserve = Math.min(reserve + wall * minRate, minRate * BURST_NANOS);
    }

    /** Charges a background thread's CPU since its last sample, by the share of that time reads were in flight. */
    private void sampleBackground(long id, long[] sample, long now) {
        long cpu = clocks.threadCpuNanos(id);
        if (cpu < 0) return;
        long used = cpu - sample[0];
        long busyNow = readBusyNanos(now);
        long interval = now - sample[1], busyFor = busyNow - sample[3];
        long charged;
        if (interval <= 0) charged = readsInFlight() ? used : 0;
        else if (busyFor >= interval) charged = used;
        else charged = (long) (used * ((double) busyFor / interval));
        if (charged > 0) {
            balance -= charged;
            chargedBackground += charged;
            chargedTotal += charged;
        }
        sample[0] = cpu;
        sample[1] = now;
        sample[3] = busyNow;
    }

    /** CPU charged so far while reads were in flight: {applies, background work}. */
    long[] charged() {
        synchronized (state) {
            return new long[] {chargedApplies, chargedBackground};
        }
    }
}
