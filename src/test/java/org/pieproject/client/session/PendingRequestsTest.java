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
        assertThat(first.join().result()).startsWith("Out-of-order");
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
}
