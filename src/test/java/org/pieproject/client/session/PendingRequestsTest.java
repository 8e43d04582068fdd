package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.wire.ServerMessage.Response;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PendingRequestsTest {

    @Test
    void idsOnlyMoveForwardSoALateAnswerNeverReachesANewerRequest() {
        PendingRequests p = new PendingRequests();
        CompletableFuture<Response> first = new CompletableFuture<>();
        long id1 = p.register(new PendingRequests.Pending(first, null));
        p.complete(new Response(id1, false, "Out-of-order chunk: expected 1, got 2"));
        CompletableFuture<Response> second = new CompletableFuture<>();
        long id2 = p.register(new PendingRequests.Pending(second, null));
        assertThat(id2).isNotEqualTo(id1);
        p.complete(new Response(id1, false, "First chunk index must be 0")); // the engine's extra answer
        assertThat(second).isNotDone();
        assertThat(first.getNow(null).result()).startsWith("Out-of-order");
    }

    @Test
    void idsWrapInsideU32AndSkipThoseStillPending() {
        PendingRequests p = new PendingRequests(0xFFFF_FFFFL);
        long last = p.register(new PendingRequests.Pending(new CompletableFuture<>(), null));
        assertThat(last).isEqualTo(0xFFFF_FFFFL);
        long wrapped = p.register(new PendingRequests.Pending(new CompletableFuture<>(), null));
        assertThat(wrapped).isZero();
        PendingRequests q = new PendingRequests(0xFFFF_FFFFL);
        q.register(new PendingRequests.Pending(new CompletableFuture<>(), null)); // holds 2^32-1
        for (long i = 0; i < 3; i++) q.register(new PendingRequests.Pending(new CompletableFuture<>(), null));
        assertThat(q.size()).isEqualTo(4);
    }

    @Test
    void theAnswerHookRunsBeforeTheCallerWakes() {
        PendingRequests p = new PendingRequests();
        CompletableFuture<Response> f = new CompletableFuture<>();
        boolean[] hookSawUndoneFuture = new boolean[1];
        long id = p.register(new PendingRequests.Pending(f, r -> hookSawUndoneFuture[0] = !f.isDone()));
        p.complete(new Response(id, true, "x"));
        assertThat(hookSawUndoneFuture[0]).isTrue();
        assertThat(f).isCompleted();
    }

    @Test
    void failAllFailsEveryWaiterAndForgetsThem() {
        PendingRequests p = new PendingRequests();
        CompletableFuture<Response> a = new CompletableFuture<>();
        CompletableFuture<Response> b = new CompletableFuture<>();
        p.register(new PendingRequests.Pending(a, null));
        p.register(new PendingRequests.Pending(b, null));
        p.failAll(new PieConnectionException("lost"));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(p.size()).isZero();
    }

    @Test
    void expireFailsOnlyOverdueRequestsAndForgetsThem() {
        PendingRequests p = new PendingRequests();
        long now = System.nanoTime();
        CompletableFuture<Response> overdue = new CompletableFuture<>();
        CompletableFuture<Response> later = new CompletableFuture<>();
        CompletableFuture<Response> noDeadline = new CompletableFuture<>();
        p.register(new PendingRequests.Pending(overdue, null, now - 1));
        p.register(new PendingRequests.Pending(later, null, now + TimeUnit.HOURS.toNanos(1)));
        long upload = p.register(new PendingRequests.Pending(noDeadline, null));
        p.expire(now);
        assertThat(overdue).isCompletedExceptionally();
        assertThat(overdue.exceptionNow()).isInstanceOf(PendingRequests.DeadlineExceeded.class);
        assertThat(later).isNotDone();
        assertThat(noDeadline).isNotDone();
        assertThat(p.size()).isEqualTo(2);
        p.startDeadline(upload, now - 1); // an upload's deadline starts once its last chunk is out
        p.expire(now);
        assertThat(noDeadline).isCompletedExceptionally();
        assertThat(p.size()).isEqualTo(1);
    }

    @Test
    void aSweepThatSkipsTheTableStillFindsEveryLaterDeadline() {
        // The sweep skips a table whose earliest deadline is ahead; each deadline must still be met in turn,
        // including one registered after a sweep that found nothing due.
        PendingRequests p = new PendingRequests();
        long now = System.nanoTime();
        long s = TimeUnit.SECONDS.toNanos(1);
        CompletableFuture<Response> third = new CompletableFuture<>();
        CompletableFuture<Response> first = new CompletableFuture<>();
        p.register(new PendingRequests.Pending(third, null, now + 3 * s));
        p.register(new PendingRequests.Pending(first, null, now + s));
        p.expire(now);
        assertThat(first).isNotDone();
        CompletableFuture<Response> second = new CompletableFuture<>();
        p.register(new PendingRequests.Pending(second, null, now + 2 * s));
        p.expire(now + s);
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isNotDone();
        p.expire(now + 2 * s);
        assertThat(second).isCompletedExceptionally();
        assertThat(third).isNotDone();
        p.expire(now + 3 * s);
        assertThat(third).isCompletedExceptionally();
        assertThat(p.size()).isZero();
    }

    @Test
    void theSweeperFailsAWatchedRequestSoonAfterItsDeadline() throws Exception {
        PendingRequests p = new PendingRequests();
        CompletableFuture<Response> f = new CompletableFuture<>();
        long start = System.nanoTime();
        p.register(new PendingRequests.Pending(f, null, start + TimeUnit.MILLISECONDS.toNanos(50)));
        RequestDeadlines.watch(p);
        try {
            Throwable failure = f.handle((r, e) -> e).get(5, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(PendingRequests.DeadlineExceeded.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        } finally {
            RequestDeadlines.unwatch(p);
        }
    }
}
