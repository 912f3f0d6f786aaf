package io.drover.cluster.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.cluster.ApiRole;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExposureTest {

  @Test
  void loopbackAddressesAndNames() {
    for (String a : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
      assertTrue(Exposure.isLoopback(a), a);
    }
    for (String a : new String[] {"0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "2001:db8::1"}) {
      assertFalse(Exposure.isLoopback(a), a);
    }
    assertFalse(Exposure.isLoopback("no-such-host.invalid"));
  }

  @Test
  void clusterPortOffLoopbackNeedsTlsOrInsecure() {
    Optional<String> why = Exposure.clusterRefusal("10.0.0.5", false, false);
    assertTrue(why.isPresent());
    assertTrue(why.get().contains("could join the cluster and run commands"), why.get());
    assertTrue(why.get().contains("--tls-dir") && why.get().contains("--insecure-cluster"));
    assertTrue(Exposure.clusterRefusal("10.0.0.5", true, false).isEmpty());
    assertTrue(Exposure.clusterRefusal("10.0.0.5", false, true).isEmpty());
    assertTrue(Exposure.clusterRefusal("127.0.0.1", false, false).isEmpty());
    assertTrue(Exposure.clusterRefusal("0.0.0.0", false, false).isPresent());
  }

  @Test
  void apiOffLoopbackNeedsHttpsOrInsecure() {
    Optional<String> why = Exposure.httpRefusal("0.0.0.0", false, false);
    assertTrue(why.isPresent());
    assertTrue(why.get().contains("--https") && why.get().contains("--insecure-http"), why.get());
    assertTrue(Exposure.httpRefusal("0.0.0.0", true, false).isEmpty());
    assertTrue(Exposure.httpRefusal("0.0.0.0", false, true).isEmpty());
    assertTrue(Exposure.httpRefusal("localhost", false, false).isEmpty());
  }

  @Test
  void apiRoleKeepsThePlainFormAndAddsTheScheme() {
    assertTrue(ApiRole.of(false, "h:1").equals("drover-api:h:1"));
    assertTrue(ApiRole.of(true, "h:1").equals("drover-api:https://h:1"));
    assertTrue(ApiRole.uri("drover-api:h:1").orElseThrow().equals(URI.create("http://h:1")));
    assertTrue(
        ApiRole.uri("drover-api:https://h:1").orElseThrow().equals(URI.create("https://h:1")));
    assertTrue(ApiRole.uri("host").isEmpty());
  }
}
