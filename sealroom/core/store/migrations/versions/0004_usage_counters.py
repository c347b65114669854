"""usage counters: license jobs and released pointer queries per data scientist and dataset

The job budget and the differencing tracker's generation were counts over every request of the
data scientist on the dataset: at a thousand pointer queries each count took milliseconds, and a
query needs three. The ``usage`` table keeps both as counters (``sealroom/core/usage.py``);
upgrading fills them from the requests already there.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The states in which a request has used one of the license's jobs, as of this revision.
_JOB_STATES = "('queued', 'running', 'checking', 'release_review', 'released', 'withheld', 'failed')"


def upgrade() -> None:
    op.create_table('usage',
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('dataset_id', sa.String(length=32), nullable=False),
    sa.Column('jobs_used', sa.Integer(), nullable=False),
    sa.Column('graphs_released', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('owner_id', 'dataset_id')
    )
    op.execute(
        "INSERT INTO usage (owner_id, dataset_id, jobs_used, graphs_released) "
        "SELECT r.owner_id, rd.dataset_id, "
        f"SUM(CASE WHEN r.state IN {_JOB_STATES} THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.kind = 'graph' AND r.state = 'released' THEN 1 ELSE 0 END) "
        "FROM requests r JOIN request_datasets rd ON rd.request_id = r.id GROUP BY r.owner_id, rd.dataset_id"
    )


def downgrade() -> None:
    op.drop_table('usage')
