import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A project (服務中心, service center). A role held in its department also covers it. */
@Entity('project')
export class Project {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 40, unique: true })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
