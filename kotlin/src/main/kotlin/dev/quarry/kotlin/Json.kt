package dev.quarry.kotlin

import com.fasterxml.jackson.core.type.TypeReference
import dev.quarry.core.http.JsonType

/**
 * The Jackson type of [T], generic arguments included: `jsonTypeOf<List<Episode>>()` replaces
 * `JsonType.of(new TypeReference<List<Episode>>() {})`.
 *
 * Pure; safe on any thread; never null. Kotlin's `List<out E>` appears to Jackson as `List<?
 * extends E>`, which it decodes as a list of `E`.
 */
public inline fun <reified T> jsonTypeOf(): JsonType<T & Any> =
    JsonType.of(object : TypeReference<T & Any>() {})

/**
 * A Jackson [TypeReference] for [T], generic arguments included; see [jsonTypeOf].
 *
 * Pure; safe on any thread; never null.
 */
public inline fun <reified T> typeReferenceOf(): TypeReference<T & Any> =
    object : TypeReference<T & Any>() {}
