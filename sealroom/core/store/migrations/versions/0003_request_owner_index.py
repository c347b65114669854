"""pointer queries: index requests by owner and state

A data scientist exploring with pointers makes thousands of requests. The license's job budget,
the released-query count behind the differencing tracker and the requester's request list all
select by owner (and state); without this index each of them scanned every request of every user.

Revision ID: 0003
Revises: 0002
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_requests_owner_state', 'requests', ['owner_id', 'state'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_requests_owner_state', table_name='requests')
