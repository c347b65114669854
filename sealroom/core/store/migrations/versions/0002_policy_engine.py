"""policy engine: dataset policies, review stages, release decisions, user organisations

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The approvals table as 0001 created it, with its unnamed unique constraint given the name
# PostgreSQL would give it, so batch mode can drop it on either database.
_OLD_APPROVALS = sa.Table(
    'approvals', sa.MetaData(),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.String(length=32), sa.ForeignKey('requests.id'), nullable=False),
    sa.Column('reviewer_id', sa.String(length=32), sa.ForeignKey('users.id'), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('binding_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'reviewer_id', name='approvals_request_id_reviewer_id_key'),
    sa.Index('ix_approvals_request_id', 'request_id'),
)


def upgrade() -> None:
    op.create_table('dataset_policies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dataset_id', sa.String(length=32), nullable=False),
    sa.Column('policy_id', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dataset_id', 'policy_id', name='uq_dataset_policies_dataset_policy')
    )
    with op.batch_alter_table('dataset_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_policies_dataset_id'), ['dataset_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_decision', sa.JSON(), nullable=True))

    with op.batch_alter_table('approvals', copy_from=_OLD_APPROVALS) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=16), server_default='compute', nullable=False))
        batch_op.drop_constraint('approvals_request_id_reviewer_id_key', type_='unique')
        batch_op.create_unique_constraint('uq_approvals_request_reviewer_stage', ['request_id', 'reviewer_id', 'stage'])

    # Licenses stored before revocation existed were not revoked; say so explicitly, because the
    # policy engine refuses a license that lacks a term rather than assume one.
    datasets = sa.table('datasets', sa.column('id', sa.String), sa.column('license', sa.JSON))
    connection = op.get_bind()
    for row in connection.execute(sa.select(datasets.c.id, datasets.c.license)).all():
        license = dict(row.license or {})
        if 'revoked' not in license:
            license['revoked'] = False
            connection.execute(datasets.update().where(datasets.c.id == row.id).values(license=license))


def downgrade() -> None:
    with op.batch_alter_table('approvals') as batch_op:
        batch_op.drop_constraint('uq_approvals_request_reviewer_stage', type_='unique')
        batch_op.drop_column('stage')
        batch_op.create_unique_constraint('approvals_request_id_reviewer_id_key', ['request_id', 'reviewer_id'])
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('release_decision')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('org')
    with op.batch_alter_table('dataset_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_policies_dataset_id'))
    op.drop_table('dataset_policies')
