package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.token.TokenRules;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The registry (actors module) validates roles by name: its list must be {@link Role}'s. */
class RoleNamesTest {

  @Test
  void theRegistryKnowsExactlyTheRolesOfTheApi() {
    assertEquals(Arrays.stream(Role.values()).map(Role::wire).toList(), TokenRules.ROLES);
    assertEquals(Role.VIEWER.wire(), TokenRules.NODE_ROLE);
  }
}
