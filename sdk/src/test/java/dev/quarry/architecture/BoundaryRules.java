package dev.quarry.architecture;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The three rules of Quarry's module boundary, each returning its violations as readable lines (an
 * empty list when the rule holds):
 *
 * <ol>
 *   <li>an API package (one whose name has no {@code internal} segment) never shows an {@code
 *       internal} type in a public or protected signature: supertypes, method and constructor
 *       parameters, return types, thrown types and field types, generic arguments included;
 *   <li>a module uses no other module's {@code internal} package, except {@code core}'s, which is
 *       the shared toolbox;
 *   <li>no public field is mutable (every public field is final).
 * </ol>
 *
 * <p>The module of a class is the package segment after {@code dev.quarry} ({@code core}, {@code
 * cache}, {@code realtime}, ...); the facade's packages {@code dev.quarry} and {@code
 * dev.quarry.internal} are the module {@code sdk}.
 */
final class BoundaryRules {
  private static final String ROOT = "dev.quarry";
  private static final Set<String> SHARED_INTERNALS = Set.of("core");

  private BoundaryRules() {}

  static String module(String packageName) {
    if (packageName.equals(ROOT) || packageName.equals(ROOT + ".internal")) {
      return "sdk";
    }
    String rest = packageName.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  static boolean isInternal(String packageName) {
    return packageName.equals("internal")
        || packageName.endsWith(".internal")
        || packageName.contains(".internal.");
  }

  private static boolean isQuarry(JavaClass c) {
    String p = c.getPackageName();
    return p.equals(ROOT) || p.startsWith(ROOT + ".");
  }

  private static boolean isVisible(Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  /** Whether {@code c} can be seen from outside its module: public, and every outer class too. */
  private static boolean isExported(JavaClass c) {
    for (JavaClass k = c; ; k = k.getEnclosingClass().orElseThrow()) {
      if (!k.getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
      if (k.getEnclosingClass().isEmpty()) {
        return true;
      }
    }
  }

  /** Rule 1: internal types in the signatures of API types. */
  static List<String> internalTypesInApiSignatures(JavaClasses classes) {
    Set<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!isQuarry(c) || isInternal(c.getPackageName()) || !isExported(c)) {
        continue;
      }
      c.getSuperclass().ifPresent(t -> check(found, c.getName() + " extends", t));
      for (JavaType t : c.getInterfaces()) {
        check(found, c.getName() + " implements", t);
      }
      for (JavaField f : c.getFields()) {
        if (isVisible(f.getModifiers())) {
          check(found, f.getFullName(), f.getType());
        }
      }
      for (JavaCodeUnit u : c.getCodeUnits()) {
        if (!isVisible(u.getModifiers()) || u.getModifiers().contains(JavaModifier.SYNTHETIC)) {
          continue;
        }
        check(found, u.getFullName() + " returns", u.getReturnType());
        for (JavaType t : u.getParameterTypes()) {
          check(found, u.getFullName() + " takes", t);
        }
        for (JavaClass t : u.getExceptionTypes()) {
          check(found, u.getFullName() + " throws", t);
        }
      }
    }
    return new ArrayList<>(found);
  }

  private static void check(Set<String> found, String where, JavaType type) {
    for (JavaClass raw : type.getAllInvolvedRawTypes()) {
      if (isQuarry(raw) && isInternal(raw.getPackageName())) {
        found.add(where + " " + raw.getName());
      }
    }
  }

  /** Rule 2: a module reaching into another module's internals (other than core's). */
  static List<String> foreignInternalDependencies(JavaClasses classes) {
    Set<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!isQuarry(c)) {
        continue;
      }
      String from = module(c.getPackageName());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass();
        if (!isQuarry(target) || !isInternal(target.getPackageName())) {
          continue;
        }
        String to = module(target.getPackageName());
        if (!to.equals(from) && !SHARED_INTERNALS.contains(to)) {
          found.add(c.getName() + " (" + from + ") uses " + target.getName() + " (" + to + ")");
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** Rule 3: public fields that are not final. */
  static List<String> mutablePublicFields(JavaClasses classes) {
    Set<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!isQuarry(c)) {
        continue;
      }
      for (JavaField f : c.getFields()) {
        Set<JavaModifier> m = f.getModifiers();
        if (m.contains(JavaModifier.PUBLIC) && !m.contains(JavaModifier.FINAL)) {
          found.add(f.getFullName());
        }
      }
    }
    return new ArrayList<>(found);
  }
}
