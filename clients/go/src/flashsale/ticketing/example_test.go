package ticketing_test

import (
	"context"
	"fmt"
	"log"

	"github.com/jackc/pgx/v4/pgxpool"

	"flashsale/ticketing"
)

// The README's Go example: a pool from the PG* environment variables and one call per
// claim. (The event is created here so that the example runs on its own.)
func ExampleClient_Claim() {
	ctx := context.Background()
	pool, err := pgxpool.Connect(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	var event int64
	if err := pool.QueryRow(ctx, "SELECT ticketing.create_event('Go example')").Scan(&event); err != nil {
		log.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "SELECT ticketing.add_tickets($1, 10)", event); err != nil {
		log.Fatal(err)
	}

	tk := ticketing.New(pool)
	order := fmt.Sprintf("order-%d-1", event) // keys are scoped per customer, not per event
	mine, err := tk.Claim(ctx, event, 1, "alice", ticketing.ClaimOptions{IdempotencyKey: order})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(mine.Outcome, *mine.Seat)
	theirs, err := tk.Claim(ctx, event, 1, "bob", ticketing.ClaimOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(theirs.Outcome)
	// Output:
	// claimed GA-1
	// already_sold
}
