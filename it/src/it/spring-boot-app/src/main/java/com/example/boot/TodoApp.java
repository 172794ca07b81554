package com.example.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot application that gets its {@code Quarry} from the starter. */
@SpringBootApplication
public class TodoApp {
  public static void main(String[] args) {
    SpringApplication.run(TodoApp.class, args);
  }
}
